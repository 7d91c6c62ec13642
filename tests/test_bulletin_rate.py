"""A bulletin's own reading speed (`rate:`, words per minute): eSpeak reads its item slower or faster, the
length estimate follows, a rate out of range is a problem at its line, and the console's form keeps it."""

from __future__ import annotations

import json
import re

import yaml

from audio_measure import load
from broadcast.app import bulletins as app_bulletins
from broadcast.content.bulletin import load_bulletin

BODY = ("Ủy ban nhân dân xã thông báo lịch tiếp công dân định kỳ vào sáng thứ hai hằng tuần, "
        "tại trụ sở Ủy ban, bà con có phản ánh, kiến nghị xin đến đúng giờ.")


def bulletin(bid: str, rate: int | None) -> str:
    return (f"id: {bid}\ntitle: Lịch tiếp công dân\ntopic: general\n" + (f"rate: {rate}\n" if rate else "")
            + f"body: {BODY}\n")


def test_slow_rate_reads_the_item_longer_than_fast_with_espeak(station, run_cli, tmp_path):
    settings = station(speech={"engine": "espeak", "fallback": [], "voice": "vi", "rate": 150})
    for bid, rate in (("cham", 120), ("nhanh", 180), ("dai", None)):
        (tmp_path / "bulletins" / f"{bid}.yaml").write_text(bulletin(bid, rate), encoding="utf-8")
    code, out, err = run_cli("build", "bulletins")
    assert code == 0, err
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "espeak/vi 120 wpm" in rows["cham"] and "espeak/vi 180 wpm" in rows["nhanh"]
    assert "wpm" not in rows["dai"]  # the station's own rate is not news
    measured = {}
    for bid in ("cham", "nhanh", "dai"):
        manifest = json.loads((tmp_path / "audio_out" / f"{bid}.json").read_text(encoding="utf-8"))
        item = next(i for i in manifest["items"] if i["bulletin_id"] == bid)
        wav = load(tmp_path / "audio_out" / f"{bid}.wav")
        measured[bid] = (item["end_s"] - item["start_s"], wav.size / 44100)
        rates = {s["kind"]: s["rate"] for s in manifest["segments"]}
        assert rates["greeting"] == 150  # the station's parts keep the station's rate
        assert {s["rate"] for s in manifest["segments"] if s["bulletin_id"] == bid} == {
            {"cham": 120, "nhanh": 180, "dai": 150}[bid]}
    slow, fast, station_rate = measured["cham"], measured["nhanh"], measured["dai"]
    print(f"item at 120 wpm {slow[0]:.2f} s (file {slow[1]:.2f} s); at 150 wpm {station_rate[0]:.2f} s; "
          f"at 180 wpm {fast[0]:.2f} s (file {fast[1]:.2f} s)")
    # eSpeak's speech time goes as 1/rate: 180/120 = 1.5 for the words (pauses between title and body stay).
    assert slow[0] / fast[0] > 1.3
    assert fast[0] < station_rate[0] < slow[0]
    # The whole file (decoded WAV) differs by the item's difference: the wrapper is the same in both.
    assert abs((slow[1] - fast[1]) - (slow[0] - fast[0])) < 0.5
    # The length estimate (before anything is built) follows the bulletin's rate and its measured length.
    for bid in ("cham", "nhanh"):
        estimate = app_bulletins.preview(load_bulletin(tmp_path / "bulletins" / f"{bid}.yaml"), settings).length.seconds
        assert abs(estimate - measured[bid][0]) / measured[bid][0] < 0.35, (bid, estimate, measured[bid])


def test_rate_out_of_range_names_the_field_file_and_line(station, run_cli, tmp_path):
    (tmp_path / "bulletins" / "a.yaml").write_text(bulletin("tin-a", 500), encoding="utf-8")
    (tmp_path / "bulletins" / "b.yaml").write_text(bulletin("tin-b", 40), encoding="utf-8")
    code, out, err = run_cli("build", "bulletins")
    assert code == 2
    assert re.search(r"bulletins/a\.yaml:4: rate: reading rate 500 words per minute is outside 80-450", err), err
    assert re.search(r"bulletins/b\.yaml:4: rate: reading rate 40 words per minute is outside 80-450", err), err
    assert not (tmp_path / "audio_out" / "tin-a.mp3").exists()


def test_rate_in_vietnamese():
    from broadcast.problems import Problem
    from broadcast.problems_vi import in_vietnamese

    problem = Problem("x", "a.yaml", 4, path="rate", code="bulletin.rate", params={"rate": 500, "low": 80, "high": 450})
    assert "Tốc độ đọc 500 từ/phút nằm ngoài khoảng 80–450" in in_vietnamese(problem)


def test_console_form_saves_the_rate_and_shows_it_back(console):
    from web_fixtures import Http

    client = Http(console.url)
    client.log_in("bientap")
    form = {"title": "Lịch tiếp công dân đọc chậm", "topic": "general", "priority": "normal", "voice": "",
            "rate": "120", "body": BODY, "action": "save"}
    new = client.get("/ban-tin/moi/free").body
    assert re.search(r'<select id="i-rate" name="rate"><option value="" selected>Tốc độ của đài</option>', new)
    assert "Chậm (120 từ/phút)" in new and "Nhanh (180 từ/phút)" in new
    reply = client.post("/ban-tin/moi/free", dict(form, csrf=client.csrf("/ban-tin/moi/free")))
    assert reply.status == 303, reply.body[:2000]
    bulletin_id = reply.location.rstrip("/").rsplit("/", 1)[-1]
    path = console.folder / "bulletins" / f"{bulletin_id}.yaml"
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["rate"] == 120
    edit = client.get(f"/ban-tin/{bulletin_id}/sua").body
    assert '<option value="120" selected>Chậm (120 từ/phút)</option>' in edit
    # Back to the station's speed: the key goes from the file.
    reply = client.post(f"/ban-tin/{bulletin_id}/sua", dict(form, rate="", csrf=client.csrf(f"/ban-tin/{bulletin_id}/sua")))
    assert reply.status == 303, reply.body[:2000]
    assert "rate" not in yaml.safe_load(path.read_text(encoding="utf-8"))
    # A rate written by hand that the form does not offer stays chosen (saving the form keeps it).
    path.write_text(path.read_text(encoding="utf-8") + "rate: 135\n", encoding="utf-8")
    assert '<option value="135" selected>135 từ/phút</option>' in client.get(f"/ban-tin/{bulletin_id}/sua").body
