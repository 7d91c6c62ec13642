"""The application functions behind `broadcast new|render|build` (and the web console's bulletin pages),
called directly: typed results, problems as data, nothing printed."""

import pytest

from broadcast.app import bulletins as app
from broadcast.errors import UserError
from conftest import copy_example

GOOD = "id: tin-a\ntitle: Tin thử\ntopic: general\nbody: Ủy ban nhân dân xã thông báo lịch tiếp công dân.\n"


def test_templates_carry_typed_fields_with_help_for_a_form():
    specs = {t.name: t for t in app.list_templates()}
    assert {"free", "hotline", "procedure", "one_stop"} <= set(specs)
    lines = specs["hotline"].fields["lines"]
    assert lines.type == "entries" and lines.keys == ["purpose", "number"] and lines.required and "purpose" in lines.help
    on_time = specs["one_stop"].fields["on_time"]
    assert on_time.type == "count" and on_time.at_most == "received"


def test_a_new_bulletin_from_each_template_is_ready_to_build(station, tmp_path):
    settings = station()
    for spec in app.list_templates():
        path = tmp_path / f"{spec.name}.yaml"
        assert app.write_new_bulletin(spec.name, settings, path) == path
        assert app.check(path, settings) == [], spec.name
    with pytest.raises(UserError) as err:
        app.write_new_bulletin("free", settings, tmp_path / "free.yaml")
    assert err.value.details[0].message.startswith("already exists")
    with pytest.raises(UserError, match="unknown template 'nonesuch'; available: "):
        app.new_bulletin("nonesuch", settings)


def test_preview_returns_script_spoken_text_and_unspeakable_tokens_as_data(station, tmp_path):
    settings = station()
    f = tmp_path / "b.yaml"
    f.write_text(GOOD.replace("công dân.", "công dân tại phòng XYZW."), encoding="utf-8")
    shown = app.preview(app.load(f), settings)
    assert [s.kind for s in shown.segments] == ["greeting", "title", "paragraph", "signoff"]
    assert shown.segments[2].script.startswith("Ủy ban nhân dân xã") and shown.segments[2].bulletin_id == "tin-a"
    assert "Tin thử." in shown.spoken_text and shown.script_text.count("\n\n") == 3
    assert [u.token for u in shown.unspeakable] == ["XYZW"]
    assert "station lexicon" in shown.unspeakable[0].message


def test_check_of_an_unsaved_edit_returns_problems_with_fields(station, tmp_path):
    settings = station()
    f = copy_example("2024-03-duong-day-nong.yaml", tmp_path)
    assert app.check(f, settings) == []
    edited = f.read_text(encoding="utf-8").replace("topic: hotline", "topic: hotlin")
    problems = app.check(f, settings, text=edited)
    assert [(p.path, p.hint) for p in problems] == [("topic", "")] and "unknown topic 'hotlin'" in problems[0].message
    assert f.read_text(encoding="utf-8") != edited  # nothing written


def test_build_makes_the_good_bulletins_and_returns_the_others_problems(station, tmp_path):
    settings = station()
    (tmp_path / "bulletins" / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bulletins" / "b.yaml").write_text(GOOD.replace("tin-a", "tin-b").replace("topic: general", "topic: x"),
                                                   encoding="utf-8")
    batch = app.load_batch([tmp_path / "bulletins"])
    assert [b.id for b in batch.bulletins] == ["tin-a"] and batch.problems[0].path == "topic"
    outcome = app.build(batch, settings)
    (result,) = outcome.results
    assert result.id == "tin-a" and result.mp3.is_file() and result.duration_s > 1 and not result.up_to_date
    assert outcome.problems == batch.problems
    assert app.build(batch, settings).results[0].up_to_date
    with pytest.raises(UserError, match="no bulletins"):
        app.load_batch([tmp_path / "audio_out"])
