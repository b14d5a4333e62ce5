/* The journal of `brcheck serve --state FILE`: every state change is appended and flushed to
 * disk before it takes effect, so a restart replays exactly what was acknowledged. A record
 * is one line "crc32hex length json\n"; a torn last record (a crash mid-write) is detected by
 * its length or checksum and cut off. */
#include "server_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct br__journal {
    int fd;
};

uint32_t br__crc32(const void *data, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) { /* benign race: every thread computes the same table */
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    const unsigned char *p = data;
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static char *read_all(int fd, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0) return NULL;
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) return NULL;
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* Parses one record at buf[0..avail); returns its total size (line included), 0 when it is
 * torn or damaged. */
static size_t parse_record(const char *buf, size_t avail, json_t **out)
{
    const char *nl = memchr(buf, '\n', avail);
    if (!nl) return 0;
    unsigned crc;
    size_t len;
    int off = 0;
    if (sscanf(buf, "%8x %zu %n", &crc, &len, &off) != 2 || off <= 0) return 0;
    if ((size_t)off + len != (size_t)(nl - buf)) return 0;
    if (br__crc32(buf + off, len) != crc) return 0;
    json_error_t e;
    *out = json_loadb(buf + off, len, 0, &e);
    return *out ? (size_t)(nl - buf) + 1 : 0;
}

br__journal *br__journal_open(const char *path, br__journal_apply apply, void *ctx,
                              size_t *replayed, char *err, size_t errlen)
{
    /* The journal holds what replaying needs, secrets included (keys of the world, requests
     * as they came): its owner alone may read it (SEC-SECRETS), an older file too. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || ((st.st_mode & 077) && fchmod(fd, 0600) != 0))) {
        snprintf(err, errlen, "cannot keep journal %s to its owner: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot open journal %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0, pos = 0, count = 0;
    char *buf = read_all(fd, &len);
    if (!buf) {
        snprintf(err, errlen, "cannot read journal %s", path);
        close(fd);
        return NULL;
    }
    while (pos < len) {
        json_t *rec = NULL;
        size_t used = parse_record(buf + pos, len - pos, &rec);
        if (used == 0) {
            /* Damage: acceptable only as the last, torn record. */
            const char *nl = memchr(buf + pos, '\n', len - pos);
            if (nl && (size_t)(nl - buf) + 1 < len) {
                snprintf(err, errlen, "journal %s is damaged at byte %zu (not at its end)", path,
                         pos);
                free(buf);
                close(fd);
                return NULL;
            }
            fprintf(stderr, "brcheck serve: journal %s: dropped a torn last record (%zu bytes)\n",
                    path, len - pos);
            if (ftruncate(fd, (off_t)pos) != 0 || fdatasync(fd) != 0) {
                snprintf(err, errlen, "cannot cut the torn record of %s: %s", path,
                         strerror(errno));
                free(buf);
                close(fd);
                return NULL;
            }
            break;
        }
        int rc = apply(ctx, rec, err, errlen);
        json_decref(rec);
        if (rc != 0) {
            free(buf);
            close(fd);
            return NULL;
        }
        pos += used;
        count++;
    }
    free(buf);
    if (lseek(fd, 0, SEEK_END) < 0) {
        snprintf(err, errlen, "cannot seek journal %s", path);
        close(fd);
        return NULL;
    }
    br__journal *j = malloc(sizeof *j);
    if (!j) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    j->fd = fd;
    if (replayed) *replayed = count;
    return j;
}

int br__journal_append(br__journal *j, const json_t *record)
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    char head[32];
    int hl = snprintf(head, sizeof head, "%08x %zu ", br__crc32(text, len), len);
    size_t total = (size_t)hl + len + 1;
    char *line = malloc(total);
    if (!line) {
        free(text);
        errno = ENOMEM;
        return -1;
    }
    memcpy(line, head, (size_t)hl);
    memcpy(line + hl, text, len);
    line[total - 1] = '\n';
    free(text);
    size_t done = 0;
    while (done < total) {
        ssize_t w = write(j->fd, line + done, total - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            free(line);
            return -1;
        }
        done += (size_t)w;
    }
    free(line);
    return fdatasync(j->fd);
}

int br__journal_restart(br__journal *j)
{
    if (ftruncate(j->fd, 0) != 0) return -1;
    return lseek(j->fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

void br__journal_close(br__journal *j)
{
    if (!j) return;
    close(j->fd);
    free(j);
}
