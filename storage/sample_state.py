"""A sample version as curation left it: one definition for every reader.

Review, validation and export must agree on what a sample *is* after a
curator touched it, or an edit could be checked in one form and exported in
another. So the join of a version with its review decision (`r`) and its
validation summary (`q`), and the choice of its effective content, live here
once; the stores build their queries on these fragments (aliases `s`, `r`, `q`).
"""

from __future__ import annotations

# Every sample version with its review state and quality summary; both may be missing
# (pending, not validated yet).
SAMPLE_JOINS = """samples s
LEFT JOIN review_state r ON r.sample_id = s.sample_id AND r.version = s.version
LEFT JOIN sample_quality q ON q.sample_id = s.sample_id AND q.version = s.version"""

# A version without a review_state row is pending: generation never writes review rows.
REVIEW_STATUS = "COALESCE(r.status, 'pending')"

# The curator's version while the decision is "edited" (accepting an edit keeps it edited); NULL
# otherwise, so a rejected or reset sample is its generated self again.
EDITED_PAYLOAD = "CASE WHEN r.status = 'edited' AND r.edited_payload IS NOT NULL THEN r.edited_payload END"

# What validation checks, the curator signs off on, and export writes.
EFFECTIVE_PAYLOAD = f"COALESCE({EDITED_PAYLOAD}, s.payload)"

# Its question and answer, read from the columns unless edited (no JSON parsed for most rows).
EFFECTIVE_QUESTION = f"COALESCE(json_extract_string({EDITED_PAYLOAD}, '$.question'), s.question)"
EFFECTIVE_ANSWER = f"COALESCE(json_extract_string({EDITED_PAYLOAD}, '$.answer'), s.answer)"
