"""A user's program against the stubs of tests/golden/geo (geo.h): what a strict user
writes for a geospatial service, with no `# type: ignore` and no cast. mypy --strict and
pyright strict must both pass it, on every supported Ray (test_gen_user_typing.py); it is
checked, not run."""
# pyright: strict

from __future__ import annotations

from typing import Any

import goray
import goray.serve
import numpy as np
import numpy.typing as npt
import ray

import geo

# Structs: every key a call needs, and the optional one left out.
BERLIN: list[geo.Point] = [{"lat": 52.3, "lon": 13.0}, {"lat": 52.7, "lon": 13.0},
                           {"lat": 52.7, "lon": 13.8}, {"lat": 52.3, "lon": 13.8}]
fences: list[geo.FenceIn] = [
    {"name": "Berlin", "kind": geo.Kind.kCity, "ring": BERLIN},
    {"name": "Tiergarten", "kind": geo.Kind.kPark, "ring": BERLIN[:3], "note": "a park"},
]


def describe(fence: geo.Fence) -> str:
    """A result's fields are all there: no .get, no KeyError to fear."""
    note = fence["note"] if fence["note"] is not None else "no note"
    kind: geo.Kind = fence["kind"]
    return f"{fence['name']} ({kind!r}, {len(fence['ring'])} corners): {note}"


def main() -> None:
    goray.init("./build/libgeo.so")

    # Tasks through Ray; an enum result is the enum.
    inside: bool = ray.get(geo.InRing.remote({"lat": 52.5, "lon": 13.4}, BERLIN))
    kind: geo.Kind = ray.get(geo.Classify.remote(fences[0]))

    # An actor: results are total TypedDicts, an optional result may be None.
    index = geo.GeoIndex.remote(fences)
    names: list[str] = ray.get(index.Locate.remote({"lat": 52.5, "lon": 13.4}))
    fence: geo.Fence = ray.get(index.Get.remote("Berlin"))
    print(describe(fence))
    added: int = ray.get(index.Add.remote(fence))  # a result goes back in as it came
    parks: int = ray.get(index.Count.remote(geo.Kind.kPark))
    hit = ray.get(index.Nearest.remote({"lat": 48.1, "lon": 11.6}))
    if hit is not None:
        print(hit["name"], hit["distance_m"], hit["kind"] == geo.Kind.kCity)

    # goray.map over NumPy columns: a NumPy array back; over lists: a list.
    lats: npt.NDArray[np.float64] = np.linspace(52.0, 53.0, 1000)
    lons: npt.NDArray[np.float64] = np.full(1000, 13.4)
    metres: npt.NDArray[np.float64] = goray.map(geo.DistanceM, lats, lons, lat0=52.5,
                                                 lon0=13.4)
    by_form: npt.NDArray[np.float64] = geo.DistanceM.map(lats, lons, lat0=52.5, lon0=13.4)
    points: list[geo.Point] = [{"lat": float(lat), "lon": 13.4} for lat in lats]
    within: list[bool] = geo.InRing.map(points, ring=BERLIN)

    # errors="collect": the results, None where an item failed, and the failures.
    kinds, failures = goray.map(geo.Classify, fences, errors="collect")
    for kind_or_none in kinds:
        if kind_or_none is not None:
            print(kind_or_none == geo.Kind.kCity)
    for position, error in failures:
        print(position, error.index, error.cause)
    for at, distance in goray.imap_unordered(geo.DistanceM, lats, lons, lat0=0.0, lon0=0.0):
        print(at, distance + 1.0)

    # A pool of actors: results typed from the method.
    pool = goray.ActorPool([geo.GeoIndex.remote(fences) for _ in range(2)])
    located: list[list[str]] = pool.map(pool.actors[0].Locate, points)
    counted, lost = pool.map(index.Count, [geo.Kind.kCity, geo.Kind.kPark], errors="collect")
    totals = [n for n in counted if n is not None]
    print(inside, kind, names, added, parks, metres[:3], by_form.sum(), within[:3],
          located[:1], totals, len(lost))

    # Done with Ray: goray.shutdown() is ray.shutdown(), typed (pyright strict calls Ray's
    # own "partially unknown").
    goray.shutdown()



# Serve (serve run geo_user:GEO_APP): LocateMany is batched, so a handle's call takes one
# point and answers that point's list.
GEO_APP = goray.serve.deployment(geo.GeoIndex, batch={
    "LocateMany": goray.serve.Batch(max_batch_size=32)}).bind(fences)


class Ingress:
    """A Python deployment in front of the C++ one (Ray's serve.deployment(Ingress), whose
    annotations pyright strict calls partially unknown, binds it elsewhere): Serve passes
    it the C++ deployment's handle."""

    def __init__(self, index: Any) -> None:
        self.index = goray.serve.handle(geo.GeoIndex, index)

    async def __call__(self, point: geo.Point) -> dict[str, list[str]]:
        names: list[str] = await self.index.LocateMany.remote(point)
        nearest = await self.index.Nearest.remote(point)
        return {"in": names, "nearest": [nearest["name"]] if nearest else []}


if __name__ == "__main__":
    main()
