/* The journal of `brcheck serve --state FILE`: every state change is appended and flushed to
 * disk before it takes effect, so a restart replays exactly what was acknowledged. The file
 * starts with a header line (BR__JOURNAL_MAGIC) that tells a journal from any other file;
 * then a record is one line "crc32hex length json\n". A torn last record (a crash mid-write)
 * is detected by its length or checksum and cut off; an append that fails is cut off at once,
 * so that the records after it stay readable. */
#include "server_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define BR__JOURNAL_MAGIC "brcheck-journal 2\n"

struct br__journal {
    int fd;
    char *path;
    bool broken; /* a failed append could not be cut off: nothing more is written */
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
        if (r < 0) {
            free(buf);
            return NULL;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* Parses one record at buf[0..avail); returns its total size (line included), 0 when it is
 * torn or damaged. Reads the record's line only: replay stays linear in the file's size. */
static size_t parse_record(const char *buf, size_t avail, json_t **out)
{
    const char *nl = memchr(buf, '\n', avail);
    if (!nl) return 0;
    size_t line = (size_t)(nl - buf), i = 0;
    uint32_t crc = 0;
    for (; i < 8 && i < line; i++) {
        char c = buf[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) return 0;
        crc = crc << 4 | (uint32_t)d;
    }
    if (i != 8 || i >= line || buf[i++] != ' ') return 0;
    size_t len = 0, digits = 0;
    for (; i < line && buf[i] >= '0' && buf[i] <= '9' && digits < 19; i++, digits++)
        len = len * 10 + (size_t)(buf[i] - '0');
    if (!digits || i >= line || buf[i++] != ' ') return 0;
    if (i + len != line) return 0;
    if (br__crc32(buf + i, len) != crc) return 0;
    json_error_t e;
    *out = json_loadb(buf + i, len, 0, &e);
    return *out ? line + 1 : 0;
}

/* Whether buf looks like a record of the format before the header line. */
static bool old_format(const char *buf, size_t len)
{
    json_t *rec = NULL;
    size_t used = parse_record(buf, len, &rec);
    json_decref(rec);
    return used > 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

/* One record's line (owned), or NULL with errno set. */
static char *record_line(const json_t *record, size_t *total)
{
    char *text = json_dumps(record, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) {
        errno = ENOMEM;
        return NULL;
    }
    size_t len = strlen(text);
    char head[32];
    int hl = snprintf(head, sizeof head, "%08x %zu ", br__crc32(text, len), len);
    *total = (size_t)hl + len + 1;
    char *line = malloc(*total);
    if (!line) {
        free(text);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(line, head, (size_t)hl);
    memcpy(line + hl, text, len);
    line[*total - 1] = '\n';
    free(text);
    return line;
}

static void fail_with(char *err, size_t errlen, int fd, char *buf, const char *fmt,
                      const char *path, const char *why)
{
    snprintf(err, errlen, fmt, path, why);
    free(buf);
    if (fd >= 0) close(fd);
}

br__journal *br__journal_open(const char *path, br__journal_apply apply, void *ctx,
                              size_t *replayed, char *err, size_t errlen)
{
    /* Only a regular file is a journal: anything else (a device, a FIFO, a folder) is left
     * as it is, its mode included. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "journal %s is not a regular file (%s): --state names a file", path,
                 S_ISDIR(st.st_mode)    ? "a folder"
                 : S_ISCHR(st.st_mode)  ? "a character device"
                 : S_ISBLK(st.st_mode)  ? "a block device"
                 : S_ISFIFO(st.st_mode) ? "a FIFO"
                 : S_ISSOCK(st.st_mode) ? "a socket"
                                        : "not a file");
        return NULL;
    }
    /* O_NONBLOCK: what replaced the file since stat does not block the open. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open journal %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fail_with(err, errlen, fd, NULL, "journal %s is not a regular file: %s", path,
                  "--state names a file");
        return NULL;
    }
    /* One server per journal: two would write over each other's records. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            fail_with(err, errlen, fd, NULL, "journal %s is in use by another process%s", path,
                      " (another brcheck serve --state on the same file)");
        else
            fail_with(err, errlen, fd, NULL, "cannot lock journal %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0, count = 0;
    char *buf = read_all(fd, &len);
    if (!buf) {
        fail_with(err, errlen, fd, NULL, "cannot read journal %s: %s", path, strerror(errno));
        return NULL;
    }
    const size_t ml = strlen(BR__JOURNAL_MAGIC);
    bool fresh = len == 0;
    if (!fresh && (len < ml || memcmp(buf, BR__JOURNAL_MAGIC, ml) != 0)) {
        if (len < ml && memcmp(buf, BR__JOURNAL_MAGIC, len) == 0) {
            fresh = true; /* a crash while the header of a new journal was written */
        } else if (old_format(buf, len)) {
            fail_with(err, errlen, fd, buf,
                      "journal %s was written by an older brcheck (it has no \"%s\" header "
                      "line) and cannot be replayed: move it away to start afresh",
                      path, "brcheck-journal 2");
            return NULL;
        } else {
            fail_with(err, errlen, fd, buf,
                      "%s is not a brcheck journal (it does not start with \"%s\"); it is "
                      "left untouched: name a new file or an existing journal with --state",
                      path, "brcheck-journal 2");
            return NULL;
        }
    }
    /* The journal holds what replaying needs, secrets included (keys of the world, requests
     * as they came): its owner alone may read it (SEC-SECRETS), an older file too. */
    if ((st.st_mode & 077) && fchmod(fd, 0600) != 0) {
        fail_with(err, errlen, fd, buf, "cannot keep journal %s to its owner: %s", path,
                  strerror(errno));
        return NULL;
    }
    if (fresh) {
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) < 0 ||
            write_all(fd, BR__JOURNAL_MAGIC, ml) != 0 || fdatasync(fd) != 0) {
            int e = errno;
            if (ftruncate(fd, 0) != 0) { /* nothing more to do: it is refused below */
            }
            fail_with(err, errlen, fd, buf, "cannot write journal %s: %s", path, strerror(e));
            return NULL;
        }
        len = 0;
    }
    size_t pos = fresh ? 0 : ml;
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
                fail_with(err, errlen, fd, buf, "cannot cut the torn record of %s: %s", path,
                          strerror(errno));
                return NULL;
            }
            break;
        }
        int rc = apply(ctx, rec, err, errlen);
        json_decref(rec);
        if (rc != 0) {
            char why[512];
            snprintf(why, sizeof why, "%s", err);
            snprintf(err, errlen, "journal %s (record %zu): %s", path, count + 1, why);
            free(buf);
            close(fd);
            return NULL;
        }
        pos += used;
        count++;
    }
    free(buf);
    if (lseek(fd, 0, SEEK_END) < 0) {
        fail_with(err, errlen, fd, NULL, "cannot seek journal %s: %s", path, strerror(errno));
        return NULL;
    }
    br__journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
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
    if (j->broken) {
        errno = EIO;
        return -1;
    }
    size_t total;
    char *line = record_line(record, &total);
    if (!line) return -1;
    off_t start = lseek(j->fd, 0, SEEK_CUR);
    if (start < 0) {
        free(line);
        return -1;
    }
    int rc = write_all(j->fd, line, total);
    if (rc == 0) rc = fdatasync(j->fd);
    free(line);
    if (rc != 0) {
        /* What was written of it goes: a torn record before later ones would make the
         * journal unreadable (only a torn last record is cut off on start). */
        int e = errno;
        if (ftruncate(j->fd, start) != 0 || lseek(j->fd, start, SEEK_SET) < 0) j->broken = true;
        errno = e;
        return -1;
    }
    return 0;
}

long long br__journal_mark(br__journal *j)
{
    return (long long)lseek(j->fd, 0, SEEK_CUR);
}

void br__journal_unwind(br__journal *j, long long mark)
{
    /* Not synced: should the cut not reach the disk, the record replays as the no-op it was. */
    if (mark >= 0 && (ftruncate(j->fd, (off_t)mark) != 0 || lseek(j->fd, mark, SEEK_SET) < 0))
        j->broken = true;
}

int br__journal_replace(br__journal *j, const json_t *record)
{
    if (j->broken) {
        errno = EIO;
        return -1;
    }
    size_t total;
    char *line = record_line(record, &total);
    if (!line) return -1;
    size_t pl = strlen(j->path);
    char *tmp = malloc(pl + sizeof ".new");
    char *dir = malloc(pl + 2);
    if (!tmp || !dir) {
        free(line);
        free(tmp);
        free(dir);
        errno = ENOMEM;
        return -1;
    }
    memcpy(tmp, j->path, pl);
    memcpy(tmp + pl, ".new", sizeof ".new");
    /* The folder of the file, to make the rename durable. */
    const char *slash = strrchr(j->path, '/');
    if (!slash)
        snprintf(dir, pl + 2, ".");
    else if (slash == j->path)
        snprintf(dir, pl + 2, "/");
    else
        snprintf(dir, pl + 2, "%.*s", (int)(slash - j->path), j->path);
    int e = 0;
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 ||
        write_all(fd, BR__JOURNAL_MAGIC, strlen(BR__JOURNAL_MAGIC)) != 0 ||
        write_all(fd, line, total) != 0 || fsync(fd) != 0 || rename(tmp, j->path) != 0) {
        e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
    } else {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) { /* the rename is done: a folder that cannot be synced is not undone */
            fsync(dfd);
            close(dfd);
        }
        close(j->fd);
        j->fd = fd;
    }
    free(line);
    free(tmp);
    free(dir);
    errno = e;
    return e ? -1 : 0;
}

void br__journal_close(br__journal *j)
{
    if (!j) return;
    close(j->fd);
    free(j->path);
    free(j);
}
