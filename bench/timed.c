/* timed LOG CMD [ARGS...]: runs CMD with its stdin/stdout/stderr, then appends
 * "<elapsed ns> <peak RSS KiB> <exit code>" to LOG. Used as the credential_process
 * wrapper in the end-to-end benchmark, so xacct's own time inside each `aws` call is
 * measured (the wrapper's fork/exec cost counts for the total, not for xacct). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: timed LOG CMD [ARGS...]\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("timed: fork");
        return 1;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("timed: exec");
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("timed: wait4");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *log = fopen(argv[1], "a");
    if (log) {
        fprintf(log, "%lld %ld %d\n", ns, ru.ru_maxrss, code);
        fclose(log);
    }
    return code;
}
