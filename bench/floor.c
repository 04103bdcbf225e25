/* The floor for the cache-hit benchmark: a static binary that prints a fixed
 * credential_process document and exits. It measures what starting any process and
 * writing one line costs on this machine; xacct cannot be faster than this. */
#include <unistd.h>

static const char doc[] =
    "{\"Version\":1,\"AccessKeyId\":\"ASIAFLOORFLOORFLOOR0\",\"SecretAccessKey\":"
    "\"floor-not-a-secret\",\"SessionToken\":\"floor-not-a-token\","
    "\"Expiration\":\"2099-01-01T00:00:00Z\",\"AccountId\":\"111111111111\"}\n";

int main(void) {
    ssize_t n = write(1, doc, sizeof doc - 1);
    return n == (ssize_t)(sizeof doc - 1) ? 0 : 1;
}
