/* sethostname(argv[1]) through the i386 ABI (int $0x80, call 74) from a 64-bit static
 * program: the seccomp filter sees AUDIT_ARCH_I386 and i386 numbers. Prints the raw
 * result (0 or -errno). Run it inside a container only: it renames the UTS namespace. */
#include <stdio.h>
#include <string.h>

static char name[64]; /* static, below 4 GiB (-no-pie): int $0x80 takes 32-bit pointers */

int main(int argc, char **argv) {
    long ret;
    if (argc < 2 || strlen(argv[1]) >= sizeof name)
        return 2;
    strcpy(name, argv[1]);
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(74L), "b"((long)name), "c"((long)strlen(name))
                     : "memory");
    printf("i386 sethostname %s: %ld\n", name, ret);
    return 0;
}
