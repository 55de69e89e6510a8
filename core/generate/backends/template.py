"""The offline, deterministic generator (the default): answers composed from extracted facts.

Same inputs, same samples, byte for byte: phrasing varies between samples but
is chosen from each sample's id, never at random. Its output passes the same
gate (`check_draft`) as an LLM's.
"""

from __future__ import annotations

from collections.abc import Iterator

from core.generate.atomicity import atomicity_answer
from core.generate.backends.base import ResponseCache
from core.generate.contract_facts import contract_answer
from core.generate.design import Conventions, DesignSpec, Ref, propose
from core.generate.entry_facts import entry_answer
from core.generate.flow_templates import flow_answer
from core.generate.lifecycle_facts import lifecycle_answer
from core.generate.new_record import new_record_answer
from core.generate.qa_templates import QA, Cite, with_declarations
from core.generate.query_facts import query_answer
from core.generate.reach_facts import reach_answer
from core.generate.time_facts import time_answer
from core.generate.work import DesignDraft, DraftRejected, Outcome, QADraft, WorkItem, check_draft
from core.models import sha256_text

TEMPLATE_VERSION = "template-3"


class TemplateBackend:
    name = "template"
    model = None
    prompt_hash = sha256_text(TEMPLATE_VERSION)

    def generate(self, items: list[WorkItem], cache: ResponseCache) -> Iterator[Outcome]:
        for item in items:
            try:
                draft = self.draft(item)
                yield Outcome(item, check_draft(item, draft.model_dump(mode="json")), attempts=1)
            except DraftRejected as exc:
                yield Outcome(item, error=f"template output rejected: {exc}")
            except (KeyError, IndexError, TypeError, ValueError) as exc:  # facts a template cannot use
                yield Outcome(item, error=f"template cannot answer {item.source.question_kind}: {type(exc).__name__}: {exc}")

    @staticmethod
    def draft(item: WorkItem) -> QADraft | DesignDraft:
        facts, lang = item.facts, item.language
        if item.task_type == "design":
            spec_data = dict(facts["spec"])
            spec_data["refs"] = [Ref(**r) for r in spec_data["refs"]]
            design, trace = propose(DesignSpec(**spec_data), Conventions(**facts["conventions"]), lang,
                                    [e.id for e in item.evidence])
            trace = with_declarations(trace, item.evidence, facts.get("_decls") or [])
            return DesignDraft(design=design, trace=[{"claim": c, "evidence_ids": ids} for c, ids in trace])
        qkind = item.source.question_kind
        if item.source.rule_kind == "atomicity":
            write = atomicity_answer
        elif item.source.rule_kind == "reach":
            write = reach_answer
        elif item.source.rule_kind == "new_record":
            write = new_record_answer
        elif item.source.rule_kind == "lifecycle_time":
            write = time_answer
        elif item.source.kind == "flow":
            write = flow_answer
        elif item.source.rule_kind == "lifecycle":
            write = lifecycle_answer
        elif item.source.rule_kind == "entry_check":
            write = entry_answer
        elif item.source.rule_kind == "query":
            write = query_answer
        elif item.source.rule_kind == "contract":
            write = contract_answer
        else:
            write = QA[item.source.rule_kind][1]
        answer, trace = write(qkind, facts, lang, item.sample_id, Cite(item.evidence), facts.get("_path", ""))
        trace = with_declarations(trace, item.evidence, facts.get("_decls") or [])
        return QADraft(answer=answer, trace=[{"claim": c, "evidence_ids": ids} for c, ids in trace])
