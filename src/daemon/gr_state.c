/* Graceful restart note between two runs of egressd (gr_state.h).
 * Layout, network byte order: "EGGR", version u32 (1), forwarding u32,
 * stop time as two u32 (high, low). */
#include "daemon/gr_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

#define GR_STATE_MAGIC "EGGR"
#define GR_STATE_VERSION 1u

void gr_state_encode(const struct gr_state *s, uint8_t out[GR_STATE_LEN])
{
	struct wbuf w;
	wbuf_init_fixed(&w, out, GR_STATE_LEN);
	wbuf_put_bytes(&w, GR_STATE_MAGIC, 4);
	wbuf_put_u32(&w, GR_STATE_VERSION);
	wbuf_put_u32(&w, s->forwarding);
	wbuf_put_u32(&w, (uint32_t)(s->stopped >> 32));
	wbuf_put_u32(&w, (uint32_t)s->stopped);
}

int gr_state_decode(const uint8_t *buf, size_t len, struct gr_state *s)
{
	struct rbuf r;
	uint8_t magic[4];
	uint32_t ver, fwd, hi, lo;
	rbuf_init(&r, buf, len);
	if (len != GR_STATE_LEN || rbuf_get_bytes(&r, magic, 4) < 0 ||
	    memcmp(magic, GR_STATE_MAGIC, 4) != 0 || rbuf_get_u32(&r, &ver) < 0 ||
	    ver != GR_STATE_VERSION || rbuf_get_u32(&r, &fwd) < 0 || rbuf_get_u32(&r, &hi) < 0 ||
	    rbuf_get_u32(&r, &lo) < 0)
		return -EBADMSG;
	s->forwarding = fwd;
	s->stopped = (uint64_t)hi << 32 | lo;
	return 0;
}

int gr_state_save(const char *path, const struct gr_state *s)
{
	uint8_t b[GR_STATE_LEN];
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	gr_state_encode(s, b);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, b, sizeof(b));
	int err = n == (ssize_t)sizeof(b) ? 0 : (n < 0 ? -errno : -EIO);
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int gr_state_take(const char *path, struct gr_state *s)
{
	uint8_t b[GR_STATE_LEN + 1];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, b, sizeof(b));
	int err = n < 0 ? -errno : 0;
	close(fd);
	/* Read once: a second start after this one is not a restart of
	 * the run that wrote it. */
	unlink(path);
	if (err)
		return err;
	return gr_state_decode(b, (size_t)n, s);
}
