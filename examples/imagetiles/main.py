"""Sobel edges of an image in tiles: NumPy cuts, C++ computes on Ray, NumPy reassembles.

Usage: python main.py path/to/libimagetiles.so STUBS_DIR [--size N] [--tile N]
"""
import argparse
import sys
import time

import numpy as np
import ray

import goray


def test_image(size: int) -> np.ndarray:
    """A float32 image with smooth shading, a disc and a bar: edges of every direction."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    shading = np.sin(x / 37) * np.cos(y / 23)
    disc = ((x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 4) ** 2).astype(np.float32)
    bar = ((x > size / 8) & (x < size / 5)).astype(np.float32)
    return (shading + 2 * disc + bar).astype(np.float32)


def sobel_numpy(image: np.ndarray) -> np.ndarray:
    """The reference: the same kernel over the whole image, edges repeated."""
    p = np.pad(image, 1, mode="edge")
    gx = (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])
    gy = (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])
    return np.sqrt(gx * gx + gy * gy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("stubs_dir")
    parser.add_argument("--size", type=int, default=2048, help="image side in pixels")
    parser.add_argument("--tile", type=int, default=512, help="tile side in pixels")
    options = parser.parse_args()
    sys.path.insert(0, options.stubs_dir)

    goray.init(options.library, num_cpus=2)
    import imagetiles  # generated stubs: imagetiles.Sobel is typed NDArray[float32] -> NDArray[float32]

    image = test_image(options.size)
    padded = np.pad(image, 1, mode="edge")  # every tile gets its one-pixel halo from here
    side = options.tile
    start = time.perf_counter()
    refs = {}
    for top in range(0, options.size, side):
        for left in range(0, options.size, side):
            # A view into `padded` (not contiguous): goray copies it once into the object store.
            tile = padded[top:top + side + 2, left:left + side + 2]
            refs[top, left] = imagetiles.Sobel.remote(tile)
    edges = np.empty_like(image)
    for (top, left), result in zip(refs, ray.get(list(refs.values()))):
        edges[top:top + result.shape[0], left:left + result.shape[1]] = result
    elapsed = time.perf_counter() - start

    # The same kernel in this process, without Ray: the tile is borrowed (no copy) and
    # the result is the C++ array itself, adopted by NumPy.
    corner = imagetiles.local.Sobel(np.ascontiguousarray(padded[:side + 2, :side + 2]))
    assert np.array_equal(corner, edges[:side, :side])

    reference = sobel_numpy(image)
    error = float(np.max(np.abs(edges - reference)))
    mean = ray.get(imagetiles.Mean.remote(image))
    print(f"Sobel of a {options.size}x{options.size} float32 image in {len(refs)} C++ tasks "
          f"of {side}x{side} pixels: {elapsed:.2f} s; result {edges.dtype} {edges.shape}")
    print(f"largest difference from NumPy's whole-image Sobel: {error:.2e}; "
          f"mean pixel {mean:.4f} (NumPy {float(image.mean(dtype=np.float64)):.4f})")
    ray.shutdown()
    matches = np.allclose(edges, reference, rtol=1e-5, atol=1e-4)
    print("tiles match the reference" if matches else "tiles DIFFER from the reference")
    return 0 if matches and abs(mean - float(image.mean(dtype=np.float64))) < 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
