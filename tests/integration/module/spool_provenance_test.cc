// Files planted in the spool directory: only the worker user's own 0600 files are read, and only
// records a key of the ring MACed reach Redis.

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

// A spool file of one record MACed with key, written under a name no scan looks at and then
// renamed into place with the given mode, so that a scan never sees it half written.
void plant(const std::string &path, const referral::Key &key, const std::string &id,
           unsigned mode = 0600) {
    std::string bytes = referral::spool::encode_header(referral::spool::kHeaderSize);
    referral::spool::append_record(&bytes, key, event_with_id(id));
    testing_support::write_secret_file(path + ".tmp", bytes, mode);
    ASSERT_EQ(rename((path + ".tmp").c_str(), path.c_str()), 0) << path;
}

class SpoolProvenanceTest : public SinkTest {
  protected:
    std::set<std::string> stream_ids() {
        std::set<std::string> ids;
        for (testing_support::Fields &e : events()) {
            ids.insert(e["id"]);
        }
        return ids;
    }
};

TEST_F(SpoolProvenanceTest, PlantedFilesAndForgedRecordsNeverReachRedis) {
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

}  // namespace
}  // namespace module_test
