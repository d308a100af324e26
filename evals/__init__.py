"""Evaluations: recorded scenarios, run k times on fresh sandboxes and scored by outcome.

    suite = await run_suite([Path("evals/scenarios")], k=3)
    print(suite.pass_1, suite.pass_k)

`puffle-agent eval` wraps the same call (`evals.cli.eval_app`).
"""

from evals.runner import RunResult, ScenarioResult, SuiteResult, run_scenario, run_suite
from evals.scenario import Scenario, find_scenarios, load_scenario

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioResult",
    "SuiteResult",
    "find_scenarios",
    "load_scenario",
    "run_scenario",
    "run_suite",
]
