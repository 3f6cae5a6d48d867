"""goray-gen: C++ sources -> goray-scan -> IDL -> Jinja2 templates -> generated code.

    goray-gen SRC... -o OUTDIR [--name NAME] [-p BUILD_DIR] [-- CLANG_ARGS]

writes NAME.idl.json, NAME.goray.h (typed C++ wrappers), NAME.goray.cpp (the
dispatch table and msgpack adaptors), NAME.py and NAME.pyi (typed Python stubs).
See docs/generator.md. Modules: cli (options only), generate (the pipeline),
scanner (running goray-scan), idl, model (the view model), naming, render
(templates), output (writing files).

Importing this package imports neither Jinja2 nor Ray.
"""
