/* till-transport.h: a byte pipe to a device, chosen by URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A backend speaks one URI scheme. Every op but open may be NULL: the transport
 * then answers G_IO_ERROR_NOT_SUPPORTED. Ops run in whatever thread calls the
 * transport, one at a time (the transport holds a lock around them); they must
 * not touch GTK.
 *
 * open:      parse @uri (already known to have this scheme), return the backend's
 *            state, or NULL with @error set.
 * write_all: write every byte or fail; returns once the bytes are with the device
 *            (for a file: on disk).
 * read:      read up to @len bytes, waiting at most @timeout_ms for the first one;
 *            returns the count (0 on timeout) or -1 with @error set.
 * close:     flush and release the device; the state is freed afterwards.
 * free:      free the state (after close, or without it when the transport is
 *            dropped unclosed). */
typedef struct
{
  const char *scheme;
  gpointer (*open) (GUri *uri, GError **error);
  gboolean (*write_all) (gpointer state, const guint8 *data, gsize len, GError **error);
  gssize (*read) (gpointer state, guint8 *buffer, gsize len, guint timeout_ms, GError **error);
  gboolean (*close) (gpointer state, GError **error);
  void (*free) (gpointer state);
} TillTransportBackend;

#define TILL_TYPE_TRANSPORT (till_transport_get_type ())
G_DECLARE_FINAL_TYPE (TillTransport, till_transport, TILL, TRANSPORT, GObject)

/* Backends outside libtill-hw (the simulators) add themselves here; a later
 * registration for the same scheme replaces the earlier one. */
void till_transport_register_backend (const TillTransportBackend *backend);

TillTransport *till_transport_open (const char *uri, GError **error) G_GNUC_WARN_UNUSED_RESULT;
const char    *till_transport_get_uri (TillTransport *self);
gboolean
till_transport_write_all (TillTransport *self, const guint8 *data, gsize len, GError **error);
gboolean till_transport_write_bytes (TillTransport *self, GBytes *bytes, GError **error);
void     till_transport_write_bytes_async (TillTransport      *self,
                                           GBytes             *bytes,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean
till_transport_write_bytes_finish (TillTransport *self, GAsyncResult *result, GError **error);
gssize till_transport_read (
    TillTransport *self, guint8 *buffer, gsize len, guint timeout_ms, GError **error);
gboolean till_transport_close (TillTransport *self, GError **error);

/* Open @uri, write @bytes, close: a whole print job, blocking (run it in a
 * worker thread). */
gboolean till_transport_print_bytes (const char   *uri,
                                     GBytes       *bytes,
                                     GCancellable *cancellable,
                                     GError      **error);

G_END_DECLS
