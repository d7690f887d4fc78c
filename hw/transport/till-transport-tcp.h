/* till-transport-tcp.h: tcp://host:9100, network receipt printers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-transport.h"

G_BEGIN_DECLS

/* tcp://HOST[:PORT][?timeout=MS&connect_timeout=MS]: raw TCP, port 9100 when
 * none is given (DEVICES.md §1.1). connect_timeout (default 3000 ms) bounds the
 * connection, timeout (default 5000 ms) every write that makes no progress.
 * Closing shuts our side down and waits up to 1 s for the printer's answer, so
 * a printer that reset the connection mid-job is reported even when the job
 * fitted in the socket buffers. */
#define TILL_TRANSPORT_TCP_DEFAULT_PORT 9100

extern const TillTransportBackend till_transport_tcp_backend;

G_END_DECLS
