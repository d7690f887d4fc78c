/* till-transport.c: a byte pipe to a device, chosen by URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-transport"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "till-transport.h"
#include "till-transport-cups.h"
#include "till-transport-serial.h"
#include "till-transport-tcp.h"
#include "till-transport-usb.h"

struct _TillTransport
{
  GObject parent_instance;

  char                       *uri;
  const TillTransportBackend *backend;
  gpointer                    state;
  GMutex                      lock; /* one op at a time, from any thread */
  gboolean                    closed;
};

G_DEFINE_FINAL_TYPE (TillTransport, till_transport, G_TYPE_OBJECT)

/* file:///path: every write is appended and fsync'd, so a receipt dump survives
 * a power cut exactly as the printer would have received it. */
typedef struct
{
  char *path;
  int   fd;
} FileState;

static gpointer
file_open (GUri *uri, GError **error)
{
  const char *path = g_uri_get_path (uri);
  const char *host = g_uri_get_host (uri);
  FileState  *state;
  int         fd;

  if ((host != NULL && *host != '\0') || path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A file URI needs an absolute path, as in file:///var/tmp/receipt.bin");
      return NULL;
    }
  fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot open %s: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }
  state = g_new0 (FileState, 1);
  state->path = g_strdup (path);
  state->fd = fd;
  return state;
}

static gboolean
file_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  FileState *state = data;

  while (len > 0)
    {
      gssize n = write (state->fd, bytes, len);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot write to %s: %s", state->path, g_strerror (saved_errno));
          return FALSE;
        }
      bytes += n;
      len -= (gsize) n;
    }
  if (fsync (state->fd) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot sync %s: %s",
                   state->path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_close (gpointer data, GError **error)
{
  FileState *state = data;
  int        fd = state->fd;

  state->fd = -1;
  return g_close (fd, error);
}

static void
file_free (gpointer data)
{
  FileState *state = data;

  if (state->fd >= 0)
    g_close (state->fd, NULL);
  g_free (state->path);
  g_free (state);
}

static const TillTransportBackend file_backend = {
  .scheme = "file",
  .open = file_open,
  .write_all = file_write_all,
  .read = NULL, /* a file gives no status back */
  .close = file_close,
  .free = file_free,
};

/* The backends, by scheme: the built-in ones, then those registered. */
static GMutex     backends_lock;
static GPtrArray *backends;

static const TillTransportBackend *
lookup_backend (const char *scheme)
{
  const TillTransportBackend *found = NULL;

  g_mutex_lock (&backends_lock);
  if (backends == NULL)
    {
      backends = g_ptr_array_new ();
      g_ptr_array_add (backends, (gpointer) &file_backend);
      g_ptr_array_add (backends, (gpointer) &till_transport_serial_backend);
      g_ptr_array_add (backends, (gpointer) &till_transport_tcp_backend);
      g_ptr_array_add (backends, (gpointer) &till_transport_usb_backend);
      g_ptr_array_add (backends, (gpointer) &till_transport_cups_backend);
    }
  for (guint i = 0; i < backends->len; i++)
    {
      const TillTransportBackend *backend = g_ptr_array_index (backends, i);

      if (g_ascii_strcasecmp (backend->scheme, scheme) == 0)
        found = backend;
    }
  g_mutex_unlock (&backends_lock);
  return found;
}

static gboolean
not_supported (TillTransport *self, const char *op, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "The device %s cannot %s", self->uri,
               op);
  return FALSE;
}

static gboolean
check_open (TillTransport *self, GError **error)
{
  if (self->closed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The device %s is closed", self->uri);
      return FALSE;
    }
  return TRUE;
}

static void
write_thread_cb (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  TillTransport *self = source_object;
  GBytes        *bytes = task_data;
  GError        *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (till_transport_write_bytes (self, bytes, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
till_transport_finalize (GObject *object)
{
  TillTransport *self = TILL_TRANSPORT (object);

  if (self->state != NULL && self->backend->free != NULL)
    self->backend->free (self->state);
  g_free (self->uri);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (till_transport_parent_class)->finalize (object);
}

static void
till_transport_class_init (TillTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_transport_finalize;
}

static void
till_transport_init (TillTransport *self)
{
  g_mutex_init (&self->lock);
}

/**
 * till_transport_register_backend:
 * Makes @backend (static storage) answer URIs of its scheme.
 */
void
till_transport_register_backend (const TillTransportBackend *backend)
{
  g_return_if_fail (backend != NULL && backend->scheme != NULL && backend->open != NULL);

  lookup_backend (backend->scheme); /* creates the table */
  g_mutex_lock (&backends_lock);
  g_ptr_array_add (backends, (gpointer) backend);
  g_mutex_unlock (&backends_lock);
}

/**
 * till_transport_open:
 * Opens the device named by @uri, e.g. file:///var/tmp/receipt.bin or
 * sim://printer?dir=/tmp/receipts&width=80. A scheme no backend speaks gives
 * G_IO_ERROR_NOT_SUPPORTED; a malformed URI G_IO_ERROR_INVALID_ARGUMENT.
 */
TillTransport *
till_transport_open (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autofree char            *usb_uri = NULL;
  const TillTransportBackend *backend;
  TillTransport              *self;
  gpointer                    state;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* usb://VID:PID: the PID is hex, not a port (GUri refuses usb://04b8:0e15),
   * so the colon is escaped and the backend gets host “VID:PID”. */
  if (g_ascii_strncasecmp (uri, "usb://", 6) == 0 && strchr (uri + 6, ':') != NULL &&
      strcspn (uri + 6, ":") < strcspn (uri + 6, "/?#"))
    {
      gsize colon = 6 + strcspn (uri + 6, ":");

      usb_uri = g_strdup_printf ("%.*s%%3A%s", (int) colon, uri, uri + colon + 1);
    }
  parsed = g_uri_parse (usb_uri != NULL ? usb_uri : uri,
                        G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED, &parse_error);
  if (parsed == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a device URI: %s",
                   uri, parse_error->message);
      return NULL;
    }
  backend = lookup_backend (g_uri_get_scheme (parsed));
  if (backend == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "No device driver for “%s” (scheme “%s”)", uri, g_uri_get_scheme (parsed));
      return NULL;
    }
  state = backend->open (parsed, error);
  if (state == NULL)
    {
      g_prefix_error (error, "%s: ", uri);
      return NULL;
    }

  self = g_object_new (TILL_TYPE_TRANSPORT, NULL);
  self->uri = g_strdup (uri);
  self->backend = backend;
  self->state = state;
  g_debug ("Opened %s", uri);
  return self;
}

const char *
till_transport_get_uri (TillTransport *self)
{
  g_return_val_if_fail (TILL_IS_TRANSPORT (self), NULL);

  return self->uri;
}

/**
 * till_transport_write_all:
 * Writes every byte of @data, blocking: never call it on the GTK main thread,
 * use till_transport_write_bytes_async() there.
 */
gboolean
till_transport_write_all (TillTransport *self, const guint8 *data, gsize len, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (TILL_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!check_open (self, error))
    ok = FALSE;
  else if (self->backend->write_all == NULL)
    ok = not_supported (self, "be written to", error);
  else if (!(ok = self->backend->write_all (self->state, data, len, error)))
    g_prefix_error (error, "%s: ", self->uri);
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
till_transport_write_bytes (TillTransport *self, GBytes *bytes, GError **error)
{
  gsize         len;
  const guint8 *data;

  g_return_val_if_fail (TILL_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  data = g_bytes_get_data (bytes, &len);
  return till_transport_write_all (self, data, len, error);
}

/**
 * till_transport_write_bytes_async:
 * Writes @bytes in a worker thread; @callback runs in the caller's main context.
 */
void
till_transport_write_bytes_async (TillTransport      *self,
                                  GBytes             *bytes,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TILL_IS_TRANSPORT (self));
  g_return_if_fail (bytes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, till_transport_write_bytes_async);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, write_thread_cb);
}

gboolean
till_transport_write_bytes_finish (TillTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TILL_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == till_transport_write_bytes_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * till_transport_read:
 * Reads what the device sent back (status bytes), waiting at most @timeout_ms.
 * Returns the number of bytes, 0 on timeout, or -1 with @error set.
 */
gssize
till_transport_read (
    TillTransport *self, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  gssize n;

  g_return_val_if_fail (TILL_IS_TRANSPORT (self), -1);
  g_return_val_if_fail (buffer != NULL || len == 0, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  g_mutex_lock (&self->lock);
  if (!check_open (self, error))
    n = -1;
  else if (self->backend->read == NULL)
    n = not_supported (self, "be read from", error) ? 0 : -1;
  else if ((n = self->backend->read (self->state, buffer, len, timeout_ms, error)) < 0)
    g_prefix_error (error, "%s: ", self->uri);
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * till_transport_close:
 * Flushes and releases the device. Closing twice is not an error.
 */
gboolean
till_transport_close (TillTransport *self, GError **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (TILL_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!self->closed)
    {
      self->closed = TRUE;
      if (self->backend->close != NULL)
        ok = self->backend->close (self->state, error);
      if (self->backend->free != NULL)
        self->backend->free (self->state);
      self->state = NULL;
    }
  g_mutex_unlock (&self->lock);
  if (!ok)
    g_prefix_error (error, "%s: ", self->uri);
  return ok;
}

/**
 * till_transport_print_bytes:
 * One print job from a worker thread: opens @uri, writes @bytes and closes the
 * device. A cancelled job writes nothing.
 */
gboolean
till_transport_print_bytes (const char   *uri,
                            GBytes       *bytes,
                            GCancellable *cancellable,
                            GError      **error)
{
  g_autoptr (TillTransport) transport = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  transport = till_transport_open (uri, error);
  if (transport == NULL)
    return FALSE;
  if (!till_transport_write_bytes (transport, bytes, error))
    {
      till_transport_close (transport, NULL);
      return FALSE;
    }
  return till_transport_close (transport, error);
}
