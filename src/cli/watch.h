// Repeating a read-only command every N seconds while a study runs (`qtune report --watch`,
// `qtune status --watch`): one round at once, then one every `seconds`, until a round says
// the study is finished or SIGINT/SIGTERM arrives; after a signal, `round(false)` runs once
// more (the last, non-live view) and the command exits 0.
#pragma once

#include <functional>

namespace qtune::cli {

// `round(live, &finished)` does one round and returns its exit code; a code other than
// kExitOk ends the watch with it. `live`: more rounds may follow.
using WatchRound = std::function<int(bool live, bool* finished)>;

int watch_study(int seconds, const WatchRound& round);

}  // namespace qtune::cli
