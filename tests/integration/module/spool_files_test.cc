// Files planted or damaged in the spool directory: only the worker user's own 0600 files are
// read, only records a key of the ring MACed reach Redis, and a corrupt file is read over many
// turns of the event loop.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "event.h"
#include "sink_fixture.h"
#include "spool_format.h"

namespace module_test {
namespace {

using testing_support::eventually;
using namespace std::chrono_literals;

std::string event_with_id(const std::string &id) {
    referral::EventRecord e;
    e.add("v", "1");
    e.add("type", "click");
    e.add("id", id);
    return e.release();
}

std::unique_ptr<referral::Keyring> ring(const std::string &text) {
    std::string error;
    auto keys = referral::Keyring::parse(text, &error);
    EXPECT_NE(keys, nullptr) << error;
    return keys;
}

// Spool file bytes, written under a name no scan looks at and then renamed into place with the
// given mode, so that a scan never sees them half written.
void plant_bytes(const std::string &path, const std::string &bytes, unsigned mode = 0600) {
    testing_support::write_secret_file(path + ".tmp", bytes, mode);
    ASSERT_EQ(rename((path + ".tmp").c_str(), path.c_str()), 0) << path;
}

std::string file_with(const referral::Key &key, const std::string &id) {
    std::string bytes = referral::spool::encode_header(referral::spool::kHeaderSize);
    referral::spool::append_record(&bytes, key, event_with_id(id));
    return bytes;
}

// A spool file of one record MACed with key.
void plant(const std::string &path, const referral::Key &key, const std::string &id,
           unsigned mode = 0600) {
    plant_bytes(path, file_with(key, id), mode);
}

class SpoolFilesTest : public SinkTest {
  protected:
    std::set<std::string> stream_ids() {
        std::set<std::string> ids;
        for (testing_support::Fields &e : events()) {
            ids.insert(e["id"]);
        }
        return ids;
    }
};

TEST_F(SpoolFilesTest, PlantedFilesAndForgedRecordsNeverReachRedis) {
    start_redis();
    start(site());
    const std::string spool = nginx_->prefix() + "/spool";
    struct stat st;
    ASSERT_EQ(stat(spool.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << "the spool directory is created 0700";

    auto keys = ring(kKeys);
    // k2 verifies without signing: a record written before a rotation still goes through.
    plant(spool + "/100-1-000000.spool", *keys->find("k2"), "genuine");
    // Someone without the key: a kid of the ring with another secret, and a kid not in it.
    auto impostor = ring(
        "k1:8f4b2a61d0c3e9577a1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778\n"
        "zz:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
    plant(spool + "/101-1-000000.spool", *impostor->find("k1"), "forged-k1");
    plant(spool + "/102-1-000000.spool", *impostor->find("zz"), "forged-zz");
    // Genuine records, but in files the worker did not write: a symlink and a 0644 file.
    plant(nginx_->prefix() + "/elsewhere.spool", keys->signer(), "via-symlink");
    ASSERT_EQ(symlink((nginx_->prefix() + "/elsewhere.spool").c_str(),
                      (spool + "/103-1-000000.spool").c_str()),
              0);
    plant(spool + "/104-1-000000.spool", keys->signer(), "mode-0644", 0644);

    ASSERT_TRUE(eventually(
        [&] {
            nlohmann::json s = status();
            return s["spool_files_rejected"] == 2 && s["spool_records_quarantined"] == 2 &&
                   stream_ids().count("genuine") == 1 && spool_files() == 0;
        },
        30s))
        << status().dump() << "\n"
        << nginx_->error_log();
    EXPECT_EQ(stream_ids(), std::set<std::string>{"genuine"});

    // Set aside for the operator, not deleted; the forged records kept in a quarantine file.
    namespace fs = std::filesystem;
    EXPECT_TRUE(fs::is_symlink(spool + "/103-1-000000.spool.rejected"));
    EXPECT_TRUE(fs::exists(spool + "/104-1-000000.spool.rejected"));
    for (const char *name : {"/101-1-000000.spool.quarantine", "/102-1-000000.spool.quarantine"}) {
        ASSERT_TRUE(fs::exists(spool + name)) << name;
        EXPECT_EQ(fs::status(spool + name).permissions(),
                  fs::perms::owner_read | fs::perms::owner_write);
        std::string q = testing_support::read_file(spool + name);
        uint64_t offset = 0;
        EXPECT_TRUE(
            referral::spool::decode_header(q.substr(0, referral::spool::kHeaderSize), &offset));
        EXPECT_NE(q.find("forged-"), std::string::npos) << name;
    }
    std::string log = nginx_->error_log();
    EXPECT_NE(log.find("is a symbolic link"), std::string::npos) << log;
    EXPECT_NE(log.find("does not have mode 0600"), std::string::npos) << log;
    EXPECT_NE(log.find("fails its MAC"), std::string::npos) << log;
}

// Each false record header in a corrupt file claims 1 MiB that the reader must check before it
// can skip one byte; read in one go, 1.2 MB of them stalled a worker for seconds. The replay
// stops after a bounded number of bytes and goes on at the next turn of the event loop (logged
// at debug level), and everything valid in the file still arrives.
TEST_F(SpoolFilesTest, CorruptFileIsReadOverManyTurns) {
    start_redis();
    start(site(), "error_log logs/debug.log debug;");
    auto keys = ring(kKeys);
    std::string bytes = file_with(keys->signer(), "before-garbage");
    std::string garbage;
    for (int i = 0; i < 20; i++) {
        garbage += std::string("REV2\x00\x00\x10\x00\x00\x00\x00\x00", 12);  // 1 MiB claimed
        garbage += std::string(60000, 'x');
    }
    bytes += garbage;
    referral::spool::append_record(&bytes, keys->signer(), event_with_id("after-garbage"));
    plant_bytes(nginx_->prefix() + "/spool/100-1-000000.spool", bytes);

    ASSERT_TRUE(eventually(
        [&] { return stream_ids().count("after-garbage") == 1 && spool_files() == 0; }, 60s))
        << status().dump();
    EXPECT_EQ(stream_ids(), (std::set<std::string>{"before-garbage", "after-garbage"}));
    EXPECT_NE(nginx_->error_log().find("skipped " + std::to_string(garbage.size()) +
                                       " corrupt or torn bytes"),
              std::string::npos)
        << nginx_->error_log();
    std::string debug = testing_support::read_file(nginx_->prefix() + "/logs/debug.log");
    EXPECT_NE(debug.find("spool replay goes on next turn"), std::string::npos);
}

}  // namespace
}  // namespace module_test
