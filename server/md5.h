/* MD5 (RFC 1321) for HTTP Digest authentication. */
#ifndef BR_MD5_H
#define BR_MD5_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    uint32_t h[4];
    uint64_t len;
    unsigned char buf[64];
} br_md5;

void br_md5_init(br_md5 *m);
void br_md5_update(br_md5 *m, const void *data, size_t n);
/* Finishes and writes the digest as 32 lowercase hex digits. */
void br_md5_hex(br_md5 *m, char out[33]);
/* The hex digest of parts[0] ":" parts[1] ":" ... (HTTP Digest's HA1, HA2 and response). */
void br_md5_join(char out[33], const char *const parts[], size_t n);

#endif
