/* till-transport-cups.h: cups://Queue, a raw job through libcups
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-transport.h"

G_BEGIN_DECLS

/* cups://QUEUE[?wait=MS][&format=pdf]: the bytes go to the queue as one raw
 * job (application/vnd.cups-raw, no filters; with format=pdf as
 * application/pdf, for a label printer's driver), opened at the first write and
 * finished on close. The server is libcups' choice: $CUPS_SERVER (a host or a
 * socket path), else the client.conf setting, else the local scheduler. Close
 * then waits up to wait= ms (default 10000, 0 = don't wait) for the job to
 * complete, and fails when CUPS stopped, aborted or cancelled it. A missing or
 * stopped queue fails at open. */
extern const TillTransportBackend till_transport_cups_backend;

/* A queue on the CUPS server, for `opentill-admin hw list`. */
typedef struct
{
  char    *name;
  char    *device_uri; /* NULL when the server does not say */
  char    *info;
  gboolean is_default;
  gboolean stopped;
} TillCupsQueueInfo;

/* The queues the CUPS server has, as a GPtrArray of TillCupsQueueInfo; an
 * unreachable server is G_IO_ERROR_NOT_CONNECTED. */
GPtrArray *till_transport_cups_list_queues (GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
