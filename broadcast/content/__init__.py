"""Content: what the station says. `bulletin` (the editor's YAML file, validated), `template` (the
built-in templates and their typed fields), `render` (a bulletin and the programme wrapper → script text)."""
