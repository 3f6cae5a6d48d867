"""goray-gen: C++ sources -> goray-scan -> IDL -> Jinja2 templates -> generated code.

    goray-gen SRC... -o OUTDIR [--name NAME] [-p BUILD_DIR] [-- CLANG_ARGS]

writes NAME.idl.json, NAME.goray.h (typed C++ wrappers), NAME.goray.cpp (the
dispatch table and msgpack adaptors), NAME.py and NAME.pyi (typed Python stubs) and
_NAME_types.pyi (the classes NAME.pyi imports).
See docs/generator.md. Modules, in the pipeline's order:

  cli             the command line (options only); app_name: the default NAME
  generate        the pipeline
  marked          which sources carry goray's markers (the ones worth scanning);
                  includes: following #include directives through the project
  scanner         running goray-scan; scan_cache: reusing the last scan after
                  body-only edits; idl: reading and checking the IDL
  model           the view model: model_cpp (C++ outputs), model_python (the stubs),
                  model_shared (what both read); naming: names in generated code
  render          the Jinja2 templates (jinja: importing Jinja2; template_cache:
                  compiled templates kept between runs)
  output          writing the files; version: the generator's version

Importing this package imports neither Jinja2 nor Ray.

Tests: tests/renderers/test_gen_protocol_numbers.py, tests/renderers/test_gen_template_cache.py,
tests/renderers/test_gen_cli.py, tests/renderers/test_gen_corpus.py,
tests/renderers/test_gen_eigen.py, tests/renderers/test_gen_concurrency.py
"""
