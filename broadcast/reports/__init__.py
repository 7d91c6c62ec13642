"""The 6-month and annual CCHC reports from the as-run log, and the evidence zip.

Along its seams: `period` (which days), `figures` (rows -> `model.ReportData`, pure), `wording` (the
Vietnamese), `tables` (named columns shared by every format), the writers (`csv_writer`,
`xlsx_writer`, `docx_writer`, `chart`), `load` (the station's log -> data), `files` (data -> files),
`evidence` (the zip). The model sits below the writers: no writer is imported by what it lays out.
"""
