"""How a human's answer is spelled back to them."""

from __future__ import annotations

import pytest

from agent.pauses import HumanAnswer


@pytest.mark.parametrize(
    ("answer", "spelled"),
    [
        (HumanAnswer(answer="approve"), "approve"),
        (HumanAnswer(answer="smaller_batch", batch_size=5), "smaller_batch 5"),
        (HumanAnswer(answer="edit", parameters={"list_name": "Q1"}), "edit list_name=Q1"),
        (HumanAnswer(answer="edit"), "edit"),
    ],
)
def test_an_answer_reads_back_as_it_was_typed(answer: HumanAnswer, spelled: str) -> None:
    """`approve --answer "smaller_batch 2"` confirms with the number, not just the kind."""
    assert answer.spelled() == spelled
