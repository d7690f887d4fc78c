/* till-pty.h: a raw pseudo-terminal pair, the stand-in for a serial cable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens a pseudo-terminal pair with both ends raw (no CR/LF translation, no
 * echo, no signals, 8 bits), as a serial port is. The simulator keeps the master
 * descriptor; the driver under test opens *out_device_path (/dev/pts/N) like any
 * serial device. Close the master with close(). */
gboolean till_pty_open (int *out_master_fd, char **out_device_path, GError **error);

/* Makes a terminal descriptor raw: what till_pty_open does to both ends, and what
 * a serial driver does to its own end. */
gboolean till_pty_set_raw (int fd, GError **error);

G_END_DECLS
