// sched/stdlib.h — which stack frames belong to the Go distribution, decided by package path.
//
// The collector builds with -trimpath, so a frame's file no longer says whether it lies under
// GOROOT ("runtime/proc.go" and "myapp/main.go" look alike), and a module path need not contain a
// dot ("module myapp"). The fact used instead is the set of standard-library import paths of the
// toolchains that built the programs (`go list std`, recorded by the collector in the store, see
// store/toolchain_std.h): a frame is standard library iff its function's package path is in that
// set. PackageOfFunc extracts the package path from a symbol as the runtime and the tracer spell it:
// "pkg/path.F", "pkg/path.(*T).M", "pkg/path.F.func1", "pkg/path.G[...]", "pkg/path.(*G[go.shape.int]).M",
// "vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start" (std's own vendored packages are in
// `go list std` under vendor/), "main.main", "_/abs/dir.TestX" (GOPATH-less directories).
//
// The process-wide registry (common/std_packages.h) is what IsStdFrame (timeline.h) consults; every
// consumer (sites, canonical ids, leak proofs, exports) goes through IsStdFrame, and opening a store
// registers the lists it keeps, so everything read from a store is classified the same way. When no
// set was registered, IsStdFrame falls back to the old spelling rule (no dot in the first path
// element), which is wrong for dotless module paths — so register.
// Thread-safety: PackageOfFunc is a pure function.
#pragma once

#include <string_view>

#include "common/std_packages.h"

namespace schedcast::sched {

// The package import path of a Go function symbol (see the header comment); "" for an empty name.
std::string_view PackageOfFunc(std::string_view func);

}  // namespace schedcast::sched
