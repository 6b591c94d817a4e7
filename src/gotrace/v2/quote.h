// gotrace/v2/quote.h — Go's %q for strings (strconv.Quote), as `go tool trace -d=1` prints names.
//
// AppendGoQuoted appends `s` in double quotes, escaping exactly as Go 1.22 / 1.23 do: \" and \\,
// \a \b \f \n \r \t \v, \xNN for other ASCII controls, DEL and each byte of invalid UTF-8, \uNNNN /
// \UNNNNNNNN for runes that strconv.IsPrint rejects (its Unicode 15.0.0 tables, generated into
// go_nonprint.inc); printable runes are copied as UTF-8. Thread-safe (pure function).
#pragma once

#include <string>
#include <string_view>

namespace schedcast::gotrace::v2 {

void AppendGoQuoted(std::string_view s, std::string& out);

}  // namespace schedcast::gotrace::v2
