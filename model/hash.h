/* The model's non-cryptographic hashing: world digests (world.c) and content hashes
 * (content.c). In-memory only: no hash value is written anywhere or read back. */
#ifndef BR_HASH_H
#define BR_HASH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t br__mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* A string held in a fixed array of 'cap' bytes (a multiple of 8, e.g. a status or a name
 * field), a word at a time with no strlen: the word holding the terminating NUL is cut there,
 * so what follows it in the array (left over from a longer value) never counts, and the
 * string's length goes into the last word's top byte. The same string hashes the same
 * wherever it is kept. */
static inline uint64_t br__mix_chars(uint64_t h, const char *s, size_t cap)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (size_t i = 0; i + 8 <= cap; i += 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        /* the lowest byte that is zero sets the lowest bit here (higher ones may be wrong) */
        uint64_t zero = (v - 0x0101010101010101ULL) & ~v & 0x8080808080808080ULL;
        if (zero) {
            unsigned k = (unsigned)__builtin_ctzll(zero) / 8; /* the NUL's index in the word */
            v &= ((uint64_t)1 << (8 * k)) - 1;                /* byte 7 and up always cleared */
            return br__mix(h, v | (uint64_t)(i + k + 1) << 56);
        }
        h = br__mix(h, v);
    }
    return br__mix(h, (uint64_t)(cap + 1) << 56); /* not terminated: the whole array */
#else
    size_t n = strnlen(s, cap);
    for (size_t i = 0; i < n; i++)
        h = br__mix(h, (unsigned char)s[i]);
    return br__mix(h, (uint64_t)(n + 1) << 56);
#endif
}

/* br__mix_chars over a char array field, its size taken from its type: an array, never a
 * pointer (that would hash the pointer's 8 bytes' worth), and a multiple of 8 bytes. */
#define br__mix_field(h, array)                                                                    \
    (__extension__({                                                                               \
        _Static_assert(                                                                            \
            !__builtin_types_compatible_p(__typeof__(array), __typeof__(&(array)[0])) &&           \
                sizeof(array) % 8 == 0,                                                            \
            "br__mix_field takes a char array of 8n bytes");                                       \
        br__mix_chars((h), (array), sizeof(array));                                                \
    }))

#endif
