// Event records as read back from a spool file that may be torn or corrupt: decoding either
// fails or yields fields that encode back to exactly the same bytes.
#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view record(reinterpret_cast<const char *>(data), size);
    referral::EventFields fields;
    if (!referral::decode_event(record, &fields)) {
        return 0;
    }
    referral::EventRecord again;
    for (const auto &[name, value] : fields) {
        check(!name.empty());
        again.add(name, value);
    }
    check(again.bytes() == record);
    return 0;
}
