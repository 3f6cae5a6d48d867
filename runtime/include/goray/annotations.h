// Markers the scanner (goray-scan) looks for. Under clang they become `annotate`
// attributes the scanner reads from the AST; other compilers see nothing.
#pragma once

#if defined(__clang__)
#define GORAY_ANNOTATE_(what) __attribute__((annotate(what)))
#else
#define GORAY_ANNOTATE_(what)
#endif

// struct GORAY_TASKS Tasks { ... };  every public member function is a task.
#define GORAY_TASKS GORAY_ANNOTATE_("goray::tasks")
// struct GORAY_ACTORS Actors { ... };  every public member function builds an actor type.
#define GORAY_ACTORS GORAY_ANNOTATE_("goray::actors")
// class GORAY_ACTOR Counter { ... };  an actor type built by its one public constructor.
#define GORAY_ACTOR GORAY_ANNOTATE_("goray::actor")
// GORAY_DRIVER int Driver();  the application's driver (at most one).
#define GORAY_DRIVER GORAY_ANNOTATE_("goray::driver")

// GORAY_INIT_OPTIONS(R"({"num_cpus": 2})")  ray.init options, a JSON object literal.
// It declares a variable the scanner finds and the generated table hands to the
// runtime. The macro is a whole declaration: no ';' is needed after it.
#define GORAY_INIT_OPTIONS(json_literal)                                          \
  [[maybe_unused]] GORAY_ANNOTATE_("goray::init_options") static constexpr const \
      char* goray_init_options_ = json_literal;

// class GORAY_ACTOR GORAY_ACTOR_OPTIONS(R"({"max_restarts": 3})") Ledger { ... };  the Ray
// actor options (a JSON object literal) every actor of the class is created with, unless
// a creation gives its own (.options(...), goray::Option). On the actor's class, whichever
// way the actor is built, or on a GORAY_ACTORS factory (merged over its class's).
#define GORAY_ACTOR_OPTIONS(json_literal) GORAY_ANNOTATE_("goray::actor_options:" json_literal)

// class GORAY_ACTOR GORAY_THREADSAFE Counter { ... };  the actor's methods may run at once
// on several threads (Ray's max_concurrency > 1, concurrency groups). Without it the
// driver refuses both. Goes on the actor's class, whichever way the actor is built.
#define GORAY_THREADSAFE GORAY_ANNOTATE_("goray::threadsafe")
// class GORAY_ACTOR GORAY_THREADSAFE GORAY_CONCURRENCY_GROUP("io", 2) Fetcher { ... };
// declares a Ray concurrency group of the actor: its name and its size (an integer
// literal, the group's threads). Repeat it for more groups; needs GORAY_THREADSAFE.
#define GORAY_CONCURRENCY_GROUP(name, size) \
  GORAY_ANNOTATE_("goray::concurrency_group:" name ":" #size)
// GORAY_IN_GROUP("io") std::string Fetch(std::string url);  the method runs in that
// concurrency group of its actor (others run in Ray's default group).
#define GORAY_IN_GROUP(name) GORAY_ANNOTATE_("goray::in_group:" name)

// GORAY_KEEP_GIL double Scale(double x, double by);  a short task or method: its in-process
// calls from Python keep the GIL (as nanobind's do), saving the release and the retake
// (about 20 ns here) on each. What it forbids, while it runs: long work (every other
// Python thread of the process waits), waiting for a thread of its own that calls Python
// (a deadlock), and running beside other calls of a thread-safe actor (they take turns).
// Calls through Ray, and calls into Python from the function itself, are as without it.
#define GORAY_KEEP_GIL GORAY_ANNOTATE_("goray::keep_gil")
