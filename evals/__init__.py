"""Evaluations: recorded scenarios, run k times on fresh sandboxes and scored by outcome.

    from evals.runner import run_suite

    suite = await run_suite([Path("evals/scenarios")], k=3)
    print(suite.pass_1, suite.pass_k)

`puffle-agent eval` wraps the same call (`evals.cli.eval_app`). The package itself imports
nothing, so the CLI can register the command without loading the agent.
"""
