"""Quality gates: a Great Expectations suite per stage plus invariants GX cannot express.

Only gate jobs import this package (GX takes seconds to import); stage code never does.
GX's usage analytics are switched off before GX is first imported: runs are offline.
"""

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
