"""Every reason the as-run log holds, in Vietnamese, worded once: the runner, the schedule, the sinks and
the programme builder write them, and the reports read them (inspectors read both).

Technical detail (an ffmpeg or pacat message) follows a Vietnamese lead as it is. `translate_reason`
shows the English reasons of logs written before the runner wrote Vietnamese in today's wording,
through these same functions, so a report never shows one reason two ways.
"""

from __future__ import annotations

import errno
import functools
import re
from datetime import datetime

# -- the session as a whole ----------------------------------------------------------------------

NOT_RESUMED = "phiên không phát tiếp (tin sẽ phát ở phiên sau)"
NOTHING_ON_AIR = "không có tin nào trong thời gian phát sóng vào ngày này"
PROGRAMME_UNKNOWN = " (không xác định được chương trình phiên)"  # follows the reason of a whole session
CRASHED = "dịch vụ ngừng giữa phiên (lỗi phần mềm hoặc mất điện); không rõ đã phát đến đâu"
USER_STOPPED = "người dùng dừng phát (Ctrl+C)"
NO_SESSION_ITEMS = "(phiên không có tin)"  # the title of a session's row when it has no item


def stopped_by_signal(signal_name: str) -> str:
    """A service stop by a signal (SIGTERM, SIGINT)."""
    return f"dịch vụ phát thanh dừng ({signal_name})"


STOPPED_SIGTERM = stopped_by_signal("SIGTERM")


def interrupted_by_emergency(title: str) -> str:
    return f"bị ngắt để phát tin khẩn cấp ({title})"


def not_started(why: str) -> str:
    """An item whose sink never started."""
    return f"chưa phát: {why}"


def not_reached(why: str) -> str:
    """An item the session stopped before (an emergency, a stop): it is not resumed."""
    return f"chưa đến lượt phát: {why}; {NOT_RESUMED}"


def _beyond_grace(grace_minutes: float) -> str:
    return f"quá thời gian cho phép phát muộn {float(grace_minutes):g} phút"


def started_late(seconds: float) -> str:
    return f"bắt đầu muộn {float(seconds):.0f} giây so với giờ phát"


def start_beyond_grace(minutes: float, grace_minutes: float) -> str:
    """A slot that could start only after its grace period (a slow pre-roll, a busy machine)."""
    return f"chỉ bắt đầu được sau giờ phát {float(minutes):.0f} phút, {_beyond_grace(grace_minutes)}"


def timer_beyond_grace(minutes: float, grace_minutes: float) -> str:
    """The scheduler's job fired after the grace period (the machine slept or was overloaded)."""
    return (f"bộ hẹn giờ chạy muộn {float(minutes):.0f} phút so với giờ phát (máy ngủ hoặc quá tải), "
            f"{_beyond_grace(grace_minutes)}")


def down_coalesced(session: str, at: datetime | str) -> str:
    """A slot that passed while the service was down, folded into the late run of another."""
    at = at if isinstance(at, str) else f"{at:%H:%M}"
    return f"dịch vụ không chạy vào giờ phát; gộp vào lần phát muộn của phiên {session} {at}"


def down_beyond_grace(minutes: float, grace_minutes: float) -> str:
    """A slot that passed while the service was down, beyond the grace period."""
    return f"dịch vụ không chạy vào giờ phát; chạy lại sau {float(minutes):.0f} phút, {_beyond_grace(grace_minutes)}"


def overlapping(session: str, at: datetime, zones) -> str:
    """A zone another slot aired on within the minutes cap: not aired twice."""
    return f"trùng giờ với phiên {session} {at:%H:%M} trên cùng cụm loa ({', '.join(zones)}); không phát lần hai"


# -- holding over (the session's minutes cap) ------------------------------------------------------

DURATION_SOURCE = {"built": "theo âm thanh đã dựng", "estimated": "ước tính"}


def never_fits(seconds: float, source: str, wrapper_s: float, cap_s: float) -> str:
    return (f"tin dài {seconds:.0f} giây ({DURATION_SOURCE.get(source, source)}), cộng nhạc hiệu, lời chào và lời kết "
            f"({wrapper_s:.0f} giây) vượt thời lượng tối đa {cap_s / 60:g} phút của một phiên: "
            f"tin không phát được ở phiên nào cho đến khi được rút ngắn hoặc nới giới hạn thời lượng phiên")


def crowded_out(seconds: float, source: str, free_s: float, cap_s: float) -> str:
    return (f"không đủ thời lượng phiên (tối đa {cap_s / 60:g} phút): sau nhạc hiệu, lời chào, lời kết và "
            f"các tin ưu tiên hơn chỉ còn {max(free_s, 0):.1f} giây, tin này cần {seconds:.1f} giây "
            f"({DURATION_SOURCE.get(source, source)}); nếu các phiên sau cũng vậy thì tin không được phát — cần rút "
            f"ngắn tin hoặc nới giới hạn thời lượng phiên")


def held_over(need_s: float, used_s: float, source: str, cap_s: float) -> str:
    return (f"không đủ thời lượng phiên (tối đa {cap_s / 60:g} phút): đã xếp {used_s:.0f} giây, tin này cần "
            f"{need_s:.0f} giây ({DURATION_SOURCE.get(source, source)}); tin được dời sang phiên sau — các tin cùng "
            f"mức ưu tiên được xếp luân phiên qua các phiên")


# -- building the session's audio ------------------------------------------------------------------

BUILT_ALONE = "tin được dựng riêng vì dựng cả chương trình thất bại"


def last_good_audio(built_at: str, why: str) -> str:
    return f"phát bản âm thanh tốt gần nhất (dựng lúc {built_at}); dựng lại thất bại: {why}"


def no_audio(why: str) -> str:
    return f"không dựng được âm thanh và không có bản âm thanh trước đó: {why}"


def bulletins_unreadable(why: str) -> str:
    return f"không đọc được thư mục tin bài: {why}"


def bulletin_invalid(why: str) -> str:
    return f"tệp tin bài không hợp lệ: {why}"


def duplicate_bulletin(file, bulletin_id: str) -> str:
    return f"{file}: trùng mã tin '{bulletin_id}' với một tệp khác"


# -- the sinks (each follows the sink's label) -------------------------------------------------------

STOPPED = "đã dừng"
STOPPED_BEFORE_START = "dừng trước khi bắt đầu"
FAKE_SINK_FAILED = "cụm loa giả lập báo lỗi theo yêu cầu"


def sink_gave_up(tries: int, seconds: float) -> str:
    """The lead of a sink's failure after its retries; every try's error follows."""
    return f"cụm loa không phát được sau {tries} lần thử trong {float(seconds):.0f} giây: "


def not_restarted(seconds: float) -> str:
    """Follows a sink's error once audio had aired: starting again would repeat it."""
    return f" (không phát lại từ đầu: đã phát {float(seconds):.0f} giây)"


# What the station's staff read for the commonest system errors; the system's own words follow in
# brackets for whoever fixes it.
_ERRNO = {
    errno.ENOSPC: "hết dung lượng đĩa",
    errno.EDQUOT: "hết hạn mức đĩa",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EACCES: "không có quyền ghi hoặc đọc",
    errno.EPERM: "không được phép",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
    errno.EIO: "lỗi đọc ghi thiết bị",
}


def describe_error(exc: BaseException) -> str:
    """Whatever a sink raised, as a reason: a Vietnamese lead, then the technical detail as it is."""
    if isinstance(exc, OSError):
        lead = _ERRNO.get(exc.errno or 0, "lỗi hệ thống")
        where = f" {exc.filename}" if exc.filename else ""
        return f"{lead} ({exc.strerror or exc}{':' + where if where else ''})"
    return f"lỗi không lường trước ({type(exc).__name__}: {exc})"


def cannot_write(why: str) -> str:
    return f"không ghi được tệp: {why}"


def cannot_decode(why: str) -> str:
    return f"không giải mã được tệp âm thanh ({why})"


def cannot_start_player(why: str) -> str:
    return f"không khởi động được trình phát ({why})"


PLAYER_HUNG = "trình phát không kết thúc"


def player_exited(code: int, seconds: float | None) -> str:
    """The player process ended while audio was still to go (`seconds` aired; None: before any)."""
    when = "trước khi phát" if seconds is None else f"sau {seconds:.1f} giây"
    return f"trình phát thoát (mã {code}) {when}"


def player_stopped_taking(seconds: float) -> str:
    return f"trình phát ngừng nhận âm thanh sau {seconds:.1f} giây"


def player_exit_code(code: int) -> str:
    return f"trình phát thoát với mã {code}"


# -- the English of older logs ----------------------------------------------------------------------

# What the runner, the scheduler and the sinks wrote in English before they wrote Vietnamese, as
# regex -> today's wording. Applied in order, each wherever it occurs, so the phrases a reason is
# built of (`not started: <why>`, `<reason>; <note>`) are each translated; unknown text stays.
_ENGLISH: list[tuple[re.Pattern, object]] = [
    (re.compile(p), repl)
    for p, repl in (
        (r"not reached: (.*); not resumed \(it airs at its next session\)", lambda m: not_reached(m[1])),
        (r"\bnot started: ", lambda m: not_started("")),
        (r"interrupted by an emergency broadcast \((.+?)\)(?=;|$)", lambda m: interrupted_by_emergency(m[1])),
        (r"service stopped \((SIG\w+)\)", lambda m: stopped_by_signal(m[1])),
        (r"stopped by the user \(Ctrl\+C\)", lambda m: USER_STOPPED),
        (r"the service stopped during the session \(crash or power cut\); progress unknown", lambda m: CRASHED),
        (r"service was down at the slot; coalesced into the late run of (.+?) (\d{1,2}:\d{2})",
         lambda m: down_coalesced(m[1], m[2])),
        (r"service was down at the slot; back (\d+) min later, beyond the ([\d.]+)-minute grace period",
         lambda m: down_beyond_grace(float(m[1]), float(m[2]))),
        (r"could start only (\d+) min after the slot, beyond the ([\d.]+)-minute grace period",
         lambda m: start_beyond_grace(float(m[1]), float(m[2]))),
        (r"started (-?\d+) s after the slot", lambda m: started_late(float(m[1]))),
        (r"no bulletin is on air on this date", lambda m: NOTHING_ON_AIR),
        (r" \(programme unknown\)", lambda m: PROGRAMME_UNKNOWN),
        (r"gave up after (\d+) tries in (\d+) s: ", lambda m: sink_gave_up(int(m[1]), float(m[2]))),
        (r" \(not restarted: (\d+) s had aired\)", lambda m: not_restarted(float(m[1]))),
        (r"built alone after the programme build failed", lambda m: BUILT_ALONE),
        (r"last good audio \(built (.*?)\); build failed: (.*)", lambda m: last_good_audio(m[1], m[2])),
        (r"audio could not be built and no earlier audio exists: (.*)", lambda m: no_audio(m[1])),
        (r"does not fit the ([\d.]+)-minute cap: (\d+) s already planned, this item needs (\d+) s \((.*?)\); "
         r"it airs at a later session",
         lambda m: held_over(float(m[3]), float(m[2]), m[4], float(m[1]) * 60)),
        (r"cannot write \((.*?)\)(?=;|$)", lambda m: cannot_write(m[1])),
        (r"cannot decode \((.*?)\)(?=;|$)", lambda m: cannot_decode(m[1])),
        (r"cannot start the player \((.*?)\)(?=;|$)", lambda m: cannot_start_player(m[1])),
        (r"fake sink asked to fail", lambda m: FAKE_SINK_FAILED),
        (r"(^|: )stopped(?=;|$)", lambda m: m[1] + STOPPED),
    )
]


@functools.lru_cache(maxsize=4096)
def translate_reason(reason: str) -> str:
    """A logged reason in Vietnamese: the English phrases of older logs in today's wording, the rest kept."""
    if not reason:
        return reason
    for pattern, repl in _ENGLISH:
        reason = pattern.sub(repl, reason)
    return reason
