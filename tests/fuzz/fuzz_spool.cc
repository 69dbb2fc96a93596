// The spool reader over whatever a crash, a bad disk or someone writing the spool directory can
// leave in a file: it must walk any bytes to the end, never step past them, hand out only
// records that frame back to exactly the bytes it consumed, and open only those a key of the
// ring MACed (the fuzzer cannot forge one).
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "spool_format.h"

namespace {

const referral::Keyring &keys() {
    static const std::unique_ptr<referral::Keyring> ring = referral::Keyring::parse(
        "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", nullptr);
    return *ring;
}

// Reads buf as the reader of a growing file does: need_more is only an answer before EOF.
void walk(std::string_view buf, bool at_eof) {
    while (!buf.empty()) {
        std::string_view body;
        size_t consumed = 0;
        referral::spool::Parse p = referral::spool::parse_record(buf, at_eof, &body, &consumed);
        if (p == referral::spool::Parse::need_more) {
            check(!at_eof);
            return;
        }
        check(consumed >= 1 && consumed <= buf.size());
        if (p == referral::spool::Parse::record) {
            std::string framed;
            referral::spool::append_frame(&framed, body);
            check(framed == buf.substr(0, consumed));
            std::string_view payload;
            if (referral::spool::open_record(keys(), body, &payload)) {
                std::string again;
                referral::spool::append_record(&again, keys().signer(), payload);
                check(again == framed);
            }
        }
        buf.remove_prefix(consumed);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char *>(data), size);
    uint64_t offset = 0;
    if (referral::spool::decode_header(bytes.substr(0, referral::spool::kHeaderSize), &offset)) {
        check(referral::spool::encode_header(offset) ==
              bytes.substr(0, referral::spool::kHeaderSize));
        bytes.remove_prefix(referral::spool::kHeaderSize);
    }
    walk(bytes, true);
    walk(bytes, false);
    return 0;
}
