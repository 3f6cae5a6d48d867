"""Run by tests/py314/test_columns.py: `python columns_on_ray.py libpy314app.so OUT`.
Starts a local Ray (goray.init: 127.0.0.1, usage stats off), passes string and binary
columns to tests/py314/project/columns.cpp's tasks and actor through Ray and runs its
Clean over a Ray Data dataset with goray.data's task_udf and actor_udf, and pickles what
came back into OUT for the test to check."""
import pickle
import sys

import pyarrow as pa
import ray
import ray.data

import goray
import goray.data

from column_values import BINARY_LAYOUTS, COLUMNS, PAYLOAD, STRING_LAYOUTS, TEXT


def through_tasks() -> dict:
    upper, reverse = goray.golang_task("UpperText"), goray.golang_task("ReversedBytes")
    uppers = {layout: upper.remote(make(TEXT)) for layout, make in STRING_LAYOUTS.items()}
    reverses = {layout: reverse.remote(make(PAYLOAD)) for layout, make in BINARY_LAYOUTS.items()}
    return {
        "task_upper": {layout: ray.get(ref) for layout, ref in uppers.items()},
        "task_reversed": {layout: ray.get(ref) for layout, ref in reverses.items()},
        "task_clean": ray.get(goray.golang_task("Clean").remote(pa.array(TEXT), pa.array(PAYLOAD, pa.binary()))),
        "task_empty": ray.get(upper.remote(pa.array([], pa.large_string()))),
        "task_joined": ray.get(goray.golang_task("Joined").remote(pa.array(["a", "b", ""]), "+")),
    }


def through_an_actor() -> dict:
    tally = goray.golang_actor_class("ColumnTally").remote()
    rows = [ray.get(tally.Add.remote(pa.array(PAYLOAD, pa.binary()))),
            ray.get(tally.Add.remote(pa.array([None, b"\xff"], pa.large_binary())))]
    views = STRING_LAYOUTS.get("string_view", STRING_LAYOUTS["dictionary"])(TEXT)
    clean = ray.get(tally.Clean.remote(views, pa.array(PAYLOAD, pa.binary())))
    return {"actor_rows": rows, "actor_clean": clean, "actor_nulls": ray.get(tally.Nulls.remote())}


def through_ray_data() -> dict:
    ray.data.DataContext.get_current().enable_progress_bars = False
    texts, payloads = TEXT * 4, PAYLOAD * 4

    def dataset(text_type: pa.DataType, payload_type: pa.DataType) -> "ray.data.Dataset":
        return ray.data.from_arrow(pa.table({"text": pa.array(texts, text_type),
                                             "payload": pa.array(payloads, payload_type),
                                             "n": pa.array(range(len(texts)), pa.int64())}))

    def collected(dataset: "ray.data.Dataset") -> pa.Table:
        return pa.concat_tables(ray.get(dataset.to_arrow_refs()))

    clean = goray.data.task_udf("Clean", COLUMNS, columns_as="parameters", keep_columns=True)
    by_tasks = dataset(pa.string(), pa.binary()).map_batches(clean, batch_format="pyarrow", batch_size=8)
    Tally = goray.data.actor_udf("ColumnTally", "Clean", COLUMNS, columns_as="parameters", keep_columns=True)
    by_actors = dataset(pa.large_string(), pa.large_binary()).map_batches(
        Tally, batch_format="pyarrow", batch_size=10, compute=ray.data.ActorPoolStrategy(size=1))
    return {"data_rows": (texts, payloads), "data_task": collected(by_tasks), "data_actor": collected(by_actors)}


def main(library: str, out: str) -> None:
    goray.init(library)
    try:
        results = {**through_tasks(), **through_an_actor(), **through_ray_data()}
    finally:
        goray.shutdown()
    with open(out, "wb") as file:
        pickle.dump(results, file)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
