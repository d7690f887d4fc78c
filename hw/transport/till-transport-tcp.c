/* till-transport-tcp.c: tcp://host:9100, network receipt printers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-transport"

#include "config.h"

#include <string.h>

#include "till-transport-tcp.h"

#define DEFAULT_CONNECT_TIMEOUT_S 3
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_CLOSE_WAIT_MS 1000
/* Writes go out in slices, so a reset is seen while the job is still going. */
#define WRITE_SLICE 16384

typedef struct
{
  char              *peer; /* host:port, for messages */
  GSocketConnection *connection;
  GSocket           *socket;
  guint              timeout_ms;
  guint              close_wait_ms;
} TcpState;

static gboolean
parse_param (GHashTable *params, const char *key, guint max, guint *value, GError **error)
{
  const char *text = params != NULL ? g_hash_table_lookup (params, key) : NULL;
  guint64     number;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &number, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s must be a number from 0 to %u, not “%s”", key, max, text);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

/* A reset or a closed connection in the words the cashier's screen needs. */
static void
set_io_error (TcpState *state, GError **error, GError *cause, const char *doing)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                 "The printer at %s reset the connection while %s (switched off, or a network "
                 "fault): it may not have printed the whole job",
                 state->peer, doing);
  else
    g_set_error (error, cause->domain, cause->code, "%s: %s", state->peer, cause->message);
}

static gpointer
tcp_open (GUri *uri, GError **error)
{
  const char *host = g_uri_get_host (uri);
  const char *query = g_uri_get_query (uri);
  const char *path = g_uri_get_path (uri);
  int         port = g_uri_get_port (uri);
  guint       connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GSocketClient) client = NULL;
  g_autoptr (GSocketConnectable) address = NULL;
  g_autoptr (GError) connect_error = NULL;
  g_autofree TcpState *state = g_new0 (TcpState, 1);

  state->timeout_ms = DEFAULT_TIMEOUT_MS;
  state->close_wait_ms = DEFAULT_CLOSE_WAIT_MS;
  if (host == NULL || *host == '\0' ||
      (path != NULL && *path != '\0' && g_strcmp0 (path, "/") != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A TCP URI is tcp://HOST:PORT, as in tcp://10.0.0.5:9100");
      return NULL;
    }
  if (port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Port 0 is not a printer port");
      return NULL;
    }
  if (port < 0)
    port = TILL_TRANSPORT_TCP_DEFAULT_PORT;
  if (query != NULL)
    {
      g_autoptr (GError) parse_error = NULL;

      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &parse_error);
      if (params == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad parameters: %s",
                       parse_error->message);
          return NULL;
        }
    }
  if (!parse_param (params, "connect_timeout", 600, &connect_timeout_s, error) ||
      !parse_param (params, "timeout", 600000, &state->timeout_ms, error) ||
      !parse_param (params, "close_wait", 60000, &state->close_wait_ms, error))
    return NULL;
  if (state->timeout_ms == 0)
    state->timeout_ms = DEFAULT_TIMEOUT_MS;

  state->peer = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%d", host, port)
                                           : g_strdup_printf ("%s:%d", host, port);
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, MAX (connect_timeout_s, 1));
  address = g_network_address_new (host, (guint16) port);
  state->connection = g_socket_client_connect (client, address, NULL, &connect_error);
  if (state->connection == NULL)
    {
      g_set_error (error, connect_error->domain, connect_error->code,
                   "Cannot connect to the printer at %s: %s", state->peer, connect_error->message);
      g_free (state->peer);
      return NULL;
    }
  state->socket = g_socket_connection_get_socket (state->connection);
  /* Our own waits give every operation its timeout. */
  g_socket_set_timeout (state->socket, 0);
  g_socket_set_blocking (state->socket, FALSE);
  return g_steal_pointer (&state);
}

static gboolean
tcp_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  TcpState *state = data;

  while (len > 0)
    {
      g_autoptr (GError) local_error = NULL;
      gssize n;

      if (!g_socket_condition_timed_wait (state->socket, G_IO_OUT,
                                          (gint64) state->timeout_ms * G_TIME_SPAN_MILLISECOND,
                                          NULL, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         "The printer at %s took no data for %u ms: is it offline?", state->peer,
                         state->timeout_ms);
          else
            set_io_error (state, error, local_error, "printing");
          return FALSE;
        }
      n = g_socket_send (state->socket, (const char *) bytes, MIN (len, WRITE_SLICE), NULL,
                         &local_error);
      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            continue;
          set_io_error (state, error, local_error, "printing");
          return FALSE;
        }
      bytes += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gssize
tcp_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  TcpState *state = data;
  g_autoptr (GError) local_error = NULL;
  gssize n;

  for (;;)
    {
      if (!g_socket_condition_timed_wait (state->socket, G_IO_IN,
                                          (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND, NULL,
                                          &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            return 0;
          set_io_error (state, error, local_error, "reading its status");
          return -1;
        }
      n = g_socket_receive (state->socket, (char *) buffer, len, NULL, &local_error);
      if (n > 0)
        return n;
      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "The printer at %s closed the connection", state->peer);
          return -1;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          set_io_error (state, error, local_error, "reading its status");
          return -1;
        }
      g_clear_error (&local_error);
    }
}

static gboolean
tcp_close (gpointer data, GError **error)
{
  TcpState *state = data;
  g_autoptr (GError) local_error = NULL;
  gint64   deadline = g_get_monotonic_time () + state->close_wait_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok = TRUE;

  /* Tell the printer the job is complete, then give it a moment to close its
   * side: a reset instead means it did not take everything we sent. */
  if (!g_socket_shutdown (state->socket, FALSE, TRUE, &local_error))
    {
      set_io_error (state, error, local_error, "finishing the job");
      ok = FALSE;
    }
  while (ok && g_get_monotonic_time () < deadline)
    {
      char   discard[256];
      gssize n;

      if (!g_socket_condition_timed_wait (state->socket, G_IO_IN,
                                          deadline - g_get_monotonic_time (), NULL, &local_error))
        break; /* no answer in time: the printer keeps its side open */
      n = g_socket_receive (state->socket, discard, sizeof discard, NULL, &local_error);
      if (n == 0)
        break;
      if (n < 0 && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          set_io_error (state, error, local_error, "finishing the job");
          ok = FALSE;
        }
      g_clear_error (&local_error);
    }
  g_clear_error (&local_error);
  if (!g_io_stream_close (G_IO_STREAM (state->connection), NULL, ok ? &local_error : NULL) && ok)
    {
      set_io_error (state, error, local_error, "finishing the job");
      ok = FALSE;
    }
  return ok;
}

static void
tcp_free (gpointer data)
{
  TcpState *state = data;

  g_clear_object (&state->connection);
  g_free (state->peer);
  g_free (state);
}

const TillTransportBackend till_transport_tcp_backend = {
  .scheme = "tcp",
  .open = tcp_open,
  .write_all = tcp_write_all,
  .read = tcp_read,
  .close = tcp_close,
  .free = tcp_free,
};
