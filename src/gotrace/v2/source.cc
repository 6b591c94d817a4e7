#include "gotrace/v2/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace schedcast::gotrace::v2 {
namespace {

class MemSource final : public ByteSource {
 public:
  explicit MemSource(std::string_view data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n, std::string&) const override {
    if (offset > data_.size() || n > data_.size() - offset)
      return absl::OutOfRangeError(Cat("offset ", offset, ": read of ", n, " bytes past the end"));
    return data_.substr(offset, n);
  }

 private:
  std::string_view data_;
};

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  absl::StatusOr<std::string_view> ReadAt(uint64_t offset, size_t n, std::string& scratch) const override {
    if (offset > size_ || n > size_ - offset)
      return absl::OutOfRangeError(Cat(path_, ": offset ", offset, ": read of ", n, " bytes past the end"));
    scratch.resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t got = ::pread(fd_, scratch.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return absl::UnavailableError(Cat(path_, ": read at offset ", offset + done, ": ", std::strerror(errno)));
      }
      if (got == 0)
        return absl::DataLossError(Cat(path_, ": offset ", offset + done, ": file shrank while reading"));
      done += static_cast<size_t>(got);
    }
    return std::string_view(scratch.data(), n);
  }

 private:
  int fd_;
  uint64_t size_;
  std::string path_;
};

}  // namespace

std::unique_ptr<ByteSource> MemorySource(std::string_view data) { return std::make_unique<MemSource>(data); }

absl::StatusOr<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(Cat(path, ": ", std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return absl::UnavailableError(Cat(path, ": ", std::strerror(e)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return BadInputError(Cat(path, ": not a regular file"));
  }
  return std::unique_ptr<ByteSource>(new FileSource(fd, static_cast<uint64_t>(st.st_size), path));
}

}  // namespace schedcast::gotrace::v2
