#include "connectors/file/export_json.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "connectors/file/export_fields.hpp"
#include "connectors/file/json_stream.hpp"
#include "scanner/core/strings.hpp"
#include "scanner/core/utf8.hpp"

namespace rollcall::connectors::file {
namespace {

using json = nlohmann::json;

constexpr const char* kRootMessage =
    "expected a JSON object with \"accounts\", \"entitlements\" and \"grants\" arrays";

// A read-only mapping of a whole file; empty files map to an empty view.
class MappedFile {
 public:
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  Result<void> open(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("cannot open " + quote(path.string()) + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return fail("cannot stat " + quote(path.string()));
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return fail("cannot map " + quote(path.string()) + ": " + std::strerror(errno));
      }
      data_ = p;
      ::madvise(data_, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return {};
  }
  const char* begin() const { return static_cast<const char*>(data_); }
  const char* end() const { return begin() + size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

class Handler final : public JsonEvents {
 public:
  Handler(RecordSink& sink, std::string file) : sink_(sink), file_(std::move(file)) {}

  bool null() override { return scalar(json(nullptr), ""); }
  bool boolean(bool v) override { return scalar(json(v), v ? "true" : "false"); }
  bool number(std::string_view literal) override {
    if (capture_.empty() || skip_depth_ || skip_next_) return scalar(json(), literal);
    // Inside attrs the number is kept as a JSON number; one too large for a double (1e999) is
    // refused, as nlohmann would otherwise throw.
    json value = json::parse(literal, nullptr, false);
    if (value.is_discarded()) {
      return error(where() + ": field \"attrs\": number " + std::string(literal) + " is out of range");
    }
    return scalar(std::move(value), literal);
  }
  bool string(std::string_view v) override {
    if (!skip_depth_ && !skip_next_ && !text_ok(v, "value")) return false;
    return scalar(capture_.empty() ? json() : json(std::string(v)), v);
  }
  bool start_object() override { return open(json::object()); }
  bool start_array() override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(std::string_view k) override {
    if (skip_depth_) return true;
    if (depth_ > 1 && !text_ok(k, "key")) return false;
    if (!capture_.empty()) {
      capture_key_ = k;
      return true;
    }
    if (depth_ == 1) {
      if (k == "accounts") section_ = Section::accounts;
      else if (k == "entitlements") section_ = Section::entitlements;
      else if (k == "credentials") section_ = Section::credentials;
      else if (k == "grants") {
        section_ = Section::grants;
        grant_sections_.push_back(grants_);
      }
      else {
        skip_next_ = true;  // metadata: skip its value
        return true;
      }
      section_name_ = k;
      return true;
    }
    field_ = k;
    return true;
  }

  const std::string& message() const { return message_; }

  // "export.json: /grants/13" for the n-th grant emitted (a file may hold "grants" twice).
  std::string locate_grant(std::uint64_t n) const {
    std::uint64_t start = 0;
    for (std::uint64_t s : grant_sections_) {
      if (s <= n) start = s;
    }
    return file_ + ": /grants/" + std::to_string(n - start);
  }

 private:
  bool scalar(json value, std::string_view text) {
    if (skip_depth_) return true;
    if (skip_next_) {
      skip_next_ = false;
      return true;
    }
    if (!capture_.empty()) return capture_add(std::move(value));
    if (depth_ == 0) return error(kRootMessage);
    if (depth_ == 1) return error("\"" + section_name_ + "\" must be an array");
    if (depth_ == 2) return error(where() + ": expected an object");
    if (field_ == "attrs" && text != "") return error(where() + ": field \"attrs\" must be an object");
    auto r = set_field(section_, record_, field_, text);
    if (!r) return error(where() + ": " + r.error().message());
    return true;
  }

  // Depth 1 is the root object, 2 a section's array, 3 a record, 4+ inside a record's attrs.
  bool open(json container) {
    ++depth_;
    if (skip_depth_) return true;
    if (skip_next_) {  // the value of an ignored top-level key
      skip_next_ = false;
      skip_depth_ = depth_;
      return true;
    }
    if (!capture_.empty()) return capture_open(std::move(container));
    const bool is_object = container.is_object();
    switch (depth_) {
      case 1:
        if (!is_object) return error(kRootMessage);
        return true;
      case 2:
        if (is_object) return error("\"" + section_name_ + "\" must be an array");
        index_ = 0;
        return true;
      case 3:
        if (!is_object) return error(where() + ": expected an object");
        reset(record_);
        return true;
      default:
        if (field_ == "attrs" && is_object) return capture_open(std::move(container));
        return error(where() + ": field " + quote(field_) + " must be " +
                     (field_ == "attrs" ? "an object" : "a string, number or boolean"));
    }
  }
  bool close() {
    if (skip_depth_) {
      if (depth_ == skip_depth_) skip_depth_ = 0;
      --depth_;
      return true;
    }
    --depth_;
    if (!capture_.empty()) return capture_close();
    if (depth_ == 2) {  // a record ended
      auto r = check_required(section_, record_);
      if (r) r = emit(section_, record_, sink_);
      if (!r) return error(where() + ": " + r.error().message());
      ++index_;
      if (section_ == Section::grants) ++grants_;
    }
    return true;
  }
  bool capture_open(json container) {
    if (capture_.empty()) {
      attrs_ = std::move(container);
      capture_.push_back(&attrs_);
      return true;
    }
    json* top = capture_.back();
    json* child = top->is_object() ? &((*top)[capture_key_] = std::move(container))
                                   : &(top->emplace_back(std::move(container)));
    capture_.push_back(child);
    return true;
  }
  bool capture_add(json value) {
    json* top = capture_.back();
    if (top->is_object()) (*top)[capture_key_] = std::move(value);
    else top->push_back(std::move(value));
    return true;
  }
  bool capture_close() {
    capture_.pop_back();
    if (capture_.empty()) {
      auto r = set_field(section_, record_, "attrs", attrs_.dump());
      if (!r) return error(where() + ": " + r.error().message());
    }
    return true;
  }
  // The text rule (docs/security.md): a string that is not valid UTF-8 is refused, naming the
  // record and field.
  bool text_ok(std::string_view text, const char* what) {
    if (is_valid_utf8(text)) return true;
    const std::string field = !capture_.empty() ? "field \"attrs\"" : depth_ > 2 ? "field " + quote(field_) : "";
    auto r = check_utf8(text, std::string("a ") + what);
    return error(where() + ": " + (field.empty() ? "" : field + ": ") + r.error().message());
  }
  std::string where() const { return "/" + section_name_ + "/" + std::to_string(index_); }
  bool error(const std::string& msg) {
    message_ = file_ + ": " + msg;
    return false;
  }

  RecordSink& sink_;
  std::string file_;
  int depth_ = 0;
  int skip_depth_ = 0;
  bool skip_next_ = false;
  Section section_ = Section::accounts;
  std::string section_name_;
  std::size_t index_ = 0;
  std::uint64_t grants_ = 0;                   // grants emitted so far
  std::vector<std::uint64_t> grant_sections_;  // grants_ when each "grants" array began
  std::string field_;
  PendingRecord record_;
  json attrs_;
  std::vector<json*> capture_;
  std::string capture_key_;
  std::string message_;
};

}  // namespace

Result<void> read_json_export(const std::filesystem::path& path, RecordSink& sink) {
  MappedFile file;
  RC_TRY(file.open(path));
  const std::string name = path.filename().string();
  Handler handler(sink, name);
  JsonWalk walk = walk_json(file.begin(), file.end(), handler);
  if (!walk.syntax_error.empty()) return fail(name + ":" + walk.syntax_error);
  if (walk.stopped) return fail(handler.message());
  return sink.finish([&](std::uint64_t n) { return handler.locate_grant(n); });
}

}  // namespace rollcall::connectors::file
