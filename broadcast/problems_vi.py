"""The problems a person can meet in the web console, worded in Vietnamese: one wording per Problem code.

The CLI prints a problem's English message; the console shows `in_vietnamese(problem)`, written here
from the problem's `code` and `params` (never by reading the English), with the field named as the form
names it. A problem without a code was written in Vietnamese where it was raised (the console's own
checks: users, approval, voices) and is shown as it is. A code missing here is a bug the tests catch
(tests/test_problems_vi.py walks every code the package raises).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import date

from broadcast.problems import Problem

Label = Callable[[str], str]  # a field path ("data.lines", "sessions[sáng].time") -> what the page calls it

WEEKDAY_VI = {"mon": "thứ Hai", "tue": "thứ Ba", "wed": "thứ Tư", "thu": "thứ Năm", "fri": "thứ Sáu",
              "sat": "thứ Bảy", "sun": "Chủ nhật"}

FIX_BY_ADMIN = "Hãy báo người quản trị máy của đài."


def vi_date(text: object) -> str:
    """2024-05-06 → 06/05/2024 (anything else as it is)."""
    try:
        return f"{date.fromisoformat(str(text)):%d/%m/%Y}"
    except ValueError:
        return str(text)


def vi_number(value: object) -> str:
    """1.5 → "1,5"; 1245 → "1245" (the decimal comma)."""
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _entry_key(p: Problem, label: Label) -> str:
    """The column an entries row misses, as the form names it: data.lines[0].purpose → "nội dung"."""
    base = re.sub(r"\[\d+\].*$", "", p.path)
    key = str(p.params.get("key", ""))
    named = label(f"{base}.{key}")
    return named if named != f"{base}.{key}" else key


def _overlap(p: Problem, label: Label) -> str:
    prm = p.params
    return (f"Phiên «{prm['first']}» và phiên «{prm['second']}» có thể phát cùng lúc trên {prm['zones']} "
            f"({prm['detail']}): các phiên trên cùng một cụm loa phải bắt đầu cách nhau ít nhất {prm['cap']} phút. "
            "Hãy đổi giờ, chọn cụm loa khác, hoặc thêm ngày không phát cho phiên hằng tuần vào ngày đó.")


def _empty_period(p: Problem, label: Label) -> str:
    prm = p.params
    text = f"Không có lượt phát nào trong kỳ {prm['period']} ({vi_date(prm['first'])} – {vi_date(prm['last'])})."
    if prm.get("log_first"):
        text += (f" Nhật ký có lượt phát từ {vi_date(prm['log_first'])} đến {vi_date(prm['log_last'])}: "
                 "hãy chọn kỳ trong khoảng đó.")
    else:
        text += " Nhật ký chưa có lượt phát nào."
    return text


def _per_day(p: Problem, label: Label) -> str:
    day = str(p.params.get("day", ""))
    when = WEEKDAY_VI.get(day) or f"ngày {vi_date(day)}"
    return (f"{when[0].upper()}{when[1:]} có {p.params['count']} phiên phát, vượt giới hạn {p.params['cap']} phiên "
            "một ngày của đài.")


# code -> the Vietnamese wording: a str.format template ({field}: the field's name on the page, {file}: the
# file's name, {line}, and the problem's params), or a function of (problem, label).
WORDS: dict[str, str | Callable[[Problem, Label], str]] = {
    # files and YAML
    "file.missing": "Không tìm thấy tệp {file}.",
    "file.exists": "Tệp {file} đã có: hãy chọn tên khác.",
    "file.not_utf8": "Tệp {file} không phải văn bản UTF-8: hãy lưu lại dưới dạng UTF-8.",
    "file.unreadable": "Không đọc được tệp {file}. " + FIX_BY_ADMIN,
    "yaml.malformed": "Viết sai cú pháp ở dòng {line} của tệp {file}: hãy kiểm tra dấu hai chấm, thụt lề và dấu ngoặc kép.",
    "yaml.empty": "Tệp {file} đang trống.",
    "yaml.not_mapping": "Tệp {file} không đúng dạng: cần các dòng «tên: giá trị».",
    "yaml.duplicate_key": "{field} được ghi hai lần (dòng {first} và dòng {second}): hãy xóa một chỗ.",
    # schema (pydantic's own checks)
    "schema.missing": "Cần điền: {field}.",
    "schema.string_too_short": "Cần điền: {field}.",
    "schema.too_short": "{field}: cần ít nhất một mục.",
    "schema.extra_forbidden": "Mục «{key}» không có ở đây (có thể viết sai tên).",
    "schema.string_type": "{field}: cần viết chữ.",
    "schema.list_type": "{field}: cần một danh sách.",
    "schema.dict_type": "{field}: cần các dòng «tên: giá trị».",
    "schema.model_type": "{field}: cần các dòng «tên: giá trị».",
    "schema.int_parsing": "{field}: cần một số nguyên (đang là «{input}»).",
    "schema.int_type": "{field}: cần một số nguyên (đang là «{input}»).",
    "schema.float_parsing": "{field}: cần một số (đang là «{input}»).",
    "schema.float_type": "{field}: cần một số (đang là «{input}»).",
    "schema.bool_parsing": "{field}: cần có (true) hoặc không (false).",
    "schema.bool_type": "{field}: cần có (true) hoặc không (false).",
    "schema.greater_than": "{field}: cần lớn hơn {gt}.",
    "schema.greater_than_equal": "{field}: cần từ {ge} trở lên.",
    "schema.less_than": "{field}: cần nhỏ hơn {lt}.",
    "schema.less_than_equal": "{field}: không được lớn hơn {le}.",
    "schema.literal_error": "{field}: «{input}» không dùng được; chọn một trong: {expected}.",
    "schema.enum": "{field}: «{input}» không dùng được; chọn một trong: {expected}.",
    "schema.union_tag_invalid": "{field}: không có loại «{tag}»; chọn một trong: {expected_tags}.",
    "schema.union_tag_not_found": "{field}: cần ghi loại (type).",
    "schema.date_from_datetime_parsing": "{field}: «{input}» không phải là ngày; viết năm-tháng-ngày, ví dụ 2024-05-06.",
    "schema.date_parsing": "{field}: «{input}» không phải là ngày; viết năm-tháng-ngày, ví dụ 2024-05-06.",
    "schema.date_type": "{field}: «{input}» không phải là ngày; viết năm-tháng-ngày, ví dụ 2024-05-06.",
    "schema.date_from_datetime_inexact": "{field}: chỉ ghi ngày, không ghi giờ.",
    "schema.time_parsing": "{field}: «{input}» không phải là giờ; viết GIỜ:PHÚT, ví dụ 05:30.",
    "schema.time_type": "{field}: «{input}» không phải là giờ; viết GIỜ:PHÚT, ví dụ 05:30.",
    "schema.path_type": "{field}: cần tên một tệp hoặc thư mục.",
    # bulletins and templates
    "bulletin.air_order": lambda p, label: (f"Ngày kết thúc phát ({vi_date(p.params['end'])}) đang ở trước ngày bắt đầu "
                                            f"({vi_date(p.params['start'])})."),
    "bulletin.id_shape": ("Mã bản tin chỉ gồm chữ thường không dấu, chữ số, '-', '_' hoặc '.' (mã đặt tên cho tệp "
                          "âm thanh), ví dụ: duong-day-nong-2024-05."),
    "bulletin.topic": "Chủ đề «{topic}» không có trong danh sách chủ đề của báo cáo.",
    "bulletin.rate": "Tốc độ đọc {rate} từ/phút nằm ngoài khoảng {low}–{high}; bỏ trống để đọc theo tốc độ của đài.",
    "bulletin.id_taken": "Mã bản tin «{id}» đã có bản tin khác dùng.",
    "bulletin.not_found": "Không có bản tin «{id}».",
    "bulletin.template": "Không có mẫu bản tin «{template}».",
    "bulletin.empty": "Bản tin chưa có nội dung: hãy điền các ô của mẫu hoặc phần nội dung.",
    "bulletin.no_words": "Một đoạn của bản tin không có chữ nào để đọc: «{text}».",
    "bulletin.too_long": lambda p, label: (
        f"Bản tin đọc mất khoảng {p.params['length']} ({'đo từ âm thanh' if p.params.get('measured') else 'ước tính'}), "
        f"quá giới hạn {vi_number(p.params['max'])} phút một bản tin của đài: hãy tách thành nhiều bản tin hoặc rút gọn."),
    "template.text": "{field}: cần viết chữ, không phải danh sách.",
    "template.date": "{field}: ngày không hợp lệ («{value}»): chọn ngày trong lịch (năm-tháng-ngày).",
    "template.count": "{field}: cần một số nguyên, ví dụ 1245 (không dùng dấu chấm, dấu phẩy).",
    "template.list": "{field}: mỗi mục viết một dòng.",
    "template.entries": "{field}: cần một danh sách, mỗi dòng một mục.",
    "template.entry_missing": lambda p, label: f"Dòng {p.params['row']} còn thiếu: {_entry_key(p, label)}.",
    "template.unknown_field": "Ô «{key}» không thuộc mẫu này.",
    "template.missing": "Cần điền: {field}.",
    "template.at_most": lambda p, label: (f"{label(p.path)} ({p.params['value']}) lớn hơn {label(str(p.params['limit_key']))} "
                                          f"({p.params['limit']})."),
    "render.undefined": "Mẫu cần ô «{key}»: hãy điền ô đó.",
    "render.syntax": ("Nội dung có cặp ngoặc {{{{ }}}} hoặc {{% %}} viết sai: đó là ký hiệu của mẫu, hãy xóa hoặc "
                      "viết lại chúng."),
    "render.failed": "Không ghép được nội dung vào mẫu: hãy kiểm tra lại các ô đã điền.",
    # speech and audio
    "speech.no_engine": ("Không máy đọc nào đọc được văn bản này nên chưa có âm thanh. " + FIX_BY_ADMIN
                         + " (Chi tiết: {detail})"),
    "voice.unknown": "Bộ đọc {engine} không có giọng «{voice}».",
    "jingle.missing": "Không tìm thấy tệp nhạc hiệu {file} của đài. " + FIX_BY_ADMIN,
    "jingle.undecodable": "Không đọc được tệp nhạc hiệu {file} của đài (cần tệp WAV hoặc MP3). " + FIX_BY_ADMIN,
    "jingle.silent": "Tệp nhạc hiệu {file} của đài không có tiếng. " + FIX_BY_ADMIN,
    "disk.full": "Ổ đĩa của máy đài đã đầy nên chưa lưu được; bản cũ vẫn giữ nguyên. " + FIX_BY_ADMIN,
    "disk.read_only": "Thư mục của đài đang ở chế độ chỉ đọc nên chưa lưu được. " + FIX_BY_ADMIN,
    "disk.cannot_write": "Không ghi được vào thư mục của đài nên chưa lưu được. " + FIX_BY_ADMIN + " (Chi tiết: {reason})",
    "recording.missing": "Không tìm thấy tệp ghi âm của bản tin: hãy thu âm hoặc tải lên lại.",
    "recording.changed": "Tệp ghi âm đã lưu bị thay đổi sau khi lưu: hãy thu âm hoặc tải lên lại.",
    "recording.unreadable": "Không đọc được tệp ghi âm {name}.",
    "recording.empty": "Bản ghi âm {name} trống hoặc ngắn hơn {seconds} giây.",
    "recording.not_audio": "Tệp {name} không phải tệp âm thanh: hãy chọn tệp MP3, WAV, M4A, OGG hoặc WebM.",
    "recording.rate": "Bản ghi âm {name} có tần số lấy mẫu {rate} Hz, không dùng được cho tiếng nói: hãy thu lại.",
    "recording.channels": "Bản ghi âm {name} có quá nhiều kênh ({layout}): hãy thu lại dạng mono hoặc stereo.",
    "recording.clipped": ("Bản ghi âm {name} bị rè vì thu quá to ({share} số mẫu chạm mức tối đa): hãy thu lại, để "
                          "micrô xa hơn hoặc giảm mức thu."),
    "recording.silent": "Bản ghi âm {name} không có tiếng: hãy kiểm tra micrô đã bật và không bị tắt tiếng.",
    "recording.no_speech": "Bản ghi âm {name} không có tiếng nói rõ hơn tiếng ồn nền: hãy thu lại gần micrô hơn.",
    "recording.too_quiet": ("Bản ghi âm {name} quá nhỏ: muốn đủ to phải khuếch đại {gain} dB, tiếng ồn trong phòng cũng "
                            "to theo. Hãy thu gần micrô hơn hoặc tăng mức thu."),
    "audio.unreadable": "Không đọc được tệp âm thanh này.",
    "audio.not_audio": "Tệp này không phải tệp âm thanh: hãy chọn tệp MP3 hoặc WAV.",
    "audio.silent": "Tệp này không có tiếng (im lặng hoặc quá nhỏ để phát).",
    # the station's settings
    "settings.timezone": "Múi giờ «{value}» không có; dùng Asia/Ho_Chi_Minh.",
    "settings.length_order": "Mức nhắc độ dài ({warn} phút) đang lớn hơn giới hạn độ dài ({max} phút).",
    "settings.engine": "Không có bộ đọc «{engine}».",
    "settings.file_missing": "Không tìm thấy tệp {file}.",
    # the schedule
    "schedule.time": "{field}: «{value}» không phải giờ trong ngày; viết GIỜ:PHÚT, ví dụ 05:30 hoặc 17:00.",
    "schedule.day": "Không có thứ «{day}»: dùng t2, t3, t4, t5, t6, t7, cn.",
    "schedule.icecast_url": "Địa chỉ máy chủ «{value}» không đúng dạng (ví dụ http://127.0.0.1:8000).",
    "schedule.icecast_mount": "Điểm phát «{value}» không đúng dạng (ví dụ /thon-1).",
    "schedule.zone_id": "Mã cụm loa «{zone}» chỉ gồm chữ thường không dấu, chữ số, '-' hoặc '_'.",
    "schedule.no_zones": "{field}: chưa chọn cụm loa nào.",
    "schedule.unknown_zone": "Không có cụm loa «{zone}».",
    "schedule.session_name_taken": "Đã có phiên tên «{name}»: hãy đặt tên khác.",
    "schedule.unknown_session": "Không có phiên «{name}».",
    "schedule.sessions_per_day": _per_day,
    "schedule.days_per_week": "Lịch có phiên phát {count} ngày một tuần, vượt giới hạn {cap} ngày một tuần của đài.",
    "schedule.week_days": lambda p, label: (f"Tuần bắt đầu ngày {vi_date(p.params['monday'])} có phiên phát "
                                            f"{p.params['count']} ngày, vượt giới hạn {p.params['cap']} ngày một tuần của đài."),
    "schedule.overlap": _overlap,
    # the station lexicon
    "lexicon.not_mapping": "Từ điển cần mỗi dòng một từ: «chữ viết: cách đọc».",
    "lexicon.not_text": "Chữ viết «{written}» cần đặt trong ngoặc kép.",
    "lexicon.empty_written": "Chưa có chữ viết.",
    "lexicon.twice": "«{written}» đã có trong từ điển.",
    "lexicon.spoken_not_text": "Cách đọc của «{written}» cần viết thành chữ trên cùng một dòng.",
    "lexicon.spoken_empty": "Chưa có cách đọc của «{written}».",
    "lexicon.spoken_digits": "Cách đọc «{spoken}» còn chữ số: hãy viết số thành chữ (ví dụ «mười một», «một một ba»).",
    "lexicon.spoken_symbols": "Cách đọc «{spoken}» còn ký hiệu {symbols}: hãy viết chúng thành chữ.",
    # the as-run log and reports
    "log.missing": "Chưa có nhật ký phát sóng: đài chưa phát phiên nào.",
    "log.damaged": "Tệp nhật ký phát sóng bị hỏng, không đọc được. " + FIX_BY_ADMIN + " (Chi tiết: {detail})",
    "log.unopenable": "Không mở được nhật ký phát sóng. " + FIX_BY_ADMIN + " (Chi tiết: {detail})",
    "report.empty_period": _empty_period,
    "report.period": "Kỳ báo cáo «{text}» không hợp lệ.",
    # the playout service
    "service.refused": "Dịch vụ phát sóng từ chối: {detail}",
}


SCHEMA_OTHER = "{field}: giá trị «{input}» chưa đúng."


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def in_vietnamese(problem: Problem | str, label: Label | None = None, *, where: bool = False) -> str:
    """The problem as the console shows it; `label` names a field path as the page does; with `where`,
    the file's name and line come first (for lists of files that do not load)."""
    if isinstance(problem, str):
        return problem
    label = label or _no_label
    words = WORDS.get(problem.code)
    if words is None and problem.code.startswith("schema."):
        words = SCHEMA_OTHER  # one of pydantic's rarer checks
    if words is None:
        text = problem.message  # written in Vietnamese where it was raised (or a bug the tests catch)
    elif callable(words):
        text = words(problem, label)
    else:
        name = label(problem.path) if problem.path else ""
        values = _Params({k: vi_number(v) for k, v in problem.params.items()})
        values.update(field=name or "Mục này", line=problem.line or "",
                      file=_file_name(problem.file) or values["file"] or values["name"])
        text = words.format_map(values)
    if where and problem.file and _file_name(problem.file) not in text:
        place = _file_name(problem.file) + (f", dòng {problem.line}" if problem.line else "")
        text = f"{place}: {text}"
    return text


def said(problems, label: Label | None = None, *, where: bool = False) -> list[str]:
    """Each problem of a UserError (or a list of problems) in Vietnamese, once each."""
    details = getattr(problems, "details", problems)
    return list(dict.fromkeys(in_vietnamese(p, label, where=where) for p in details))


def _file_name(file: str | None) -> str:
    return os.path.basename(file) if file else ""


def _no_label(path: str) -> str:
    return path


def missing_codes(codes: Mapping[str, object] | list[str]) -> list[str]:
    """Of `codes`, those without a wording here (for the tests)."""
    return sorted(c for c in codes if c and c not in WORDS)
