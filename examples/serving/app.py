"""The Serve applications of the serving example: the C++ Scorer as a deployment (its
HTTP is goray's default mapping), a Python ingress that composes it, and a C++ ingress
(Gateway) that composes it and a Python deployment (Describer).

`serve run app:model` and the others take them as they are, with GORAY_BIN_PATH naming
libscoring.so and the generated module scoring.py on the path.
"""
import asyncio

from ray import serve
from starlette.requests import Request

import goray.serve
import scoring  # goray-gen's module of libscoring.so

WEIGHTS = [0.5, 2.0, -1.0]

#: The C++ class as a Serve deployment: ScoreMany batched (each request one row, Serve
#: gathering up to 16 into one native call), the bias and label from user_config.
Scorer = goray.serve.deployment(
    scoring.Scorer,
    batch={"ScoreMany": goray.serve.Batch(max_batch_size=16, batch_wait_timeout_s=0.01)},
    user_config={"bias": 0.25, "label": "linear-v1"},
    max_ongoing_requests=64,
    ray_actor_options={"num_cpus": 0.5},
)


@serve.deployment(ray_actor_options={"num_cpus": 0.5})
class Pricing:
    """A Python ingress over the C++ model: POST {"rows": [[...], ...]} -> scores and the
    model's label, each row a request to the batched C++ method."""

    def __init__(self, model) -> None:
        # The generated module in the replica too: goray.init put its folder on the path
        # of the workers of the Ray it started. Typed for mypy and pyright.
        self.model = goray.serve.handle(scoring.Scorer, model)

    async def __call__(self, request: Request) -> dict:
        rows = (await request.json())["rows"]
        scores = await asyncio.gather(*(self.model.ScoreMany.remote(row) for row in rows))
        label = await self.model.Label.remote()
        return {"scores": list(scores), "label": label}


@serve.deployment(ray_actor_options={"num_cpus": 0.25})
class Describer:
    """A Python deployment the C++ Gateway calls (goray::serve::Handle)."""

    def Describe(self, score: float) -> str:
        return f"score {score:.2f}: " + ("buy" if score > 1 else "hold")


#: The C++ Gateway as a deployment: an ingress in C++, composing the Scorer (app "model")
#: and the Describer (app "words") by name.
Gateway = goray.serve.deployment(scoring.Gateway, ray_actor_options={"num_cpus": 0.25})

model = Scorer.bind(WEIGHTS)          # HTTP without Python: POST /<Method>
pricing = Pricing.bind(Scorer.bind(WEIGHTS))  # Python composing C++
words = Describer.bind()
gateway = Gateway.bind("model", "words")  # C++ composing C++ and Python
