"""goray on Ray, by protocol direction (docs/protocol.md §3). Importing this
package imports no Ray; its modules do:

- :mod:`.py2native`: Python calling native tasks and actors through Ray
  (goray.golang_task / goray.golang_actor_class submit through it);
- :mod:`.native2py`: the Native2Py commands native code sends to use Ray
  (submissions, objects, actors, batches);
- :mod:`.bodies`: the Ray task and actor bodies that run in the workers;
- :mod:`.objects`: what Ray stores for goray (NativeBlock) and how bytes travel;
- :mod:`.scatter`: scattered blocks (large arrays apart: calls, 43/44 results, lent
  GetObject replies);
- :mod:`.nested`: ObjectRefs and actor handles inside values;
- :mod:`.submit`: prepared Ray submissions and their caches;
- :mod:`.features`: EnableFeatures, the features turned on in the library;
- :mod:`.options`: Ray options from the call JSON, goray's environment;
- :mod:`.driver`: goray.init / goray.start.
"""
