/* till-transport-serial.c: serial:// printers, scales and displays, and ptys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-transport"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <libserialport.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "till-transport-serial.h"

#define DEFAULT_BAUD 9600
#define DEFAULT_TIMEOUT_MS 5000
/* Poll in slices so a port that goes away is noticed while we wait. */
#define POLL_SLICE_MS 100

typedef struct
{
  TillSerialSettings settings;
  struct sp_port    *port; /* NULL when opened through termios */
  int                fd;
} SerialState;

static const struct
{
  guint   baud;
  speed_t speed;
} bauds[] = {
  { 1200, B1200 },     { 2400, B2400 },     { 4800, B4800 },     { 9600, B9600 },
  { 19200, B19200 },   { 38400, B38400 },   { 57600, B57600 },   { 115200, B115200 },
  { 230400, B230400 }, { 460800, B460800 }, { 921600, B921600 },
};

static char *
dup_sp_error (void)
{
  char *message = sp_last_error_message ();
  char *copy = g_strdup (message != NULL ? message : "unknown error");

  sp_free_error_message (message);
  return copy;
}

static gboolean
parse_number (GHashTable *params,
              const char *key,
              const char *alias,
              guint       min,
              guint       max,
              guint      *value,
              GError    **error)
{
  const char *text = g_hash_table_lookup (params, key);
  guint64     number;

  if (text == NULL && alias != NULL)
    text = g_hash_table_lookup (params, alias);
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s must be a number from %u to %u, not “%s”", key, min, max, text);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

static gboolean
parse_choice (
    GHashTable *params, const char *key, const char *const *names, guint *value, GError **error)
{
  const char      *text = g_hash_table_lookup (params, key);
  g_autofree char *choices = NULL;

  if (text == NULL)
    return TRUE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, names[i]) == 0)
      {
        *value = i;
        return TRUE;
      }
  choices = g_strjoinv ("|", (char **) names);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s must be %s, not “%s”", key,
               choices, text);
  return FALSE;
}

static gboolean
baud_is_standard (guint baud)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bauds); i++)
    if (bauds[i].baud == baud)
      return TRUE;
  return FALSE;
}

static gboolean
settings_from_uri (GUri *uri, TillSerialSettings *out, GError **error)
{
  static const char *const parities[] = { "none", "even", "odd", NULL };
  static const char *const flows[] = { "none", "rtscts", "xonxoff", "dtrdsr", NULL };
  const char              *path = g_uri_get_path (uri);
  const char              *host = g_uri_get_host (uri);
  const char              *query = g_uri_get_query (uri);
  g_autoptr (GHashTable) params = NULL;
  TillSerialSettings settings = {
    .baud = DEFAULT_BAUD,
    .parity = TILL_SERIAL_PARITY_NONE,
    .data_bits = 8,
    .stop_bits = 1,
    .flow = TILL_SERIAL_FLOW_NONE,
    .timeout_ms = DEFAULT_TIMEOUT_MS,
  };
  guint parity = settings.parity;
  guint flow = settings.flow;

  if ((host != NULL && *host != '\0') || path == NULL || !g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A serial URI needs the device path, as in serial:///dev/ttyUSB0?baud=9600");
      return FALSE;
    }
  if (query != NULL)
    {
      g_autoptr (GError) parse_error = NULL;

      params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &parse_error);
      if (params == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad parameters: %s",
                       parse_error->message);
          return FALSE;
        }
    }
  else
    params = g_hash_table_new (g_str_hash, g_str_equal);

  if (!parse_number (params, "baud", NULL, 50, 4000000, &settings.baud, error) ||
      !parse_number (params, "bits", "databits", 5, 8, &settings.data_bits, error) ||
      !parse_number (params, "stop", "stopbits", 1, 2, &settings.stop_bits, error) ||
      !parse_number (params, "timeout", NULL, 1, 600000, &settings.timeout_ms, error) ||
      !parse_choice (params, "parity", parities, &parity, error) ||
      !parse_choice (params, "flow", flows, &flow, error))
    return FALSE;
  if (!baud_is_standard (settings.baud))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A serial port cannot run at %u baud (1200-921600: 9600, 19200, …)",
                   settings.baud);
      return FALSE;
    }
  settings.parity = parity;
  settings.flow = flow;
  settings.path = g_strdup (path);
  *out = settings;
  return TRUE;
}

/* @doing is a phrase such as "Cannot open" that the path follows. */
static void
set_errno_error (GError **error, int saved_errno, const char *doing, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s %s: %s", doing, path,
               g_strerror (saved_errno));
}

static void
set_gone_error (GError **error, const char *path)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
               "The device %s went away (unplugged, switched off or the cable was pulled)", path);
}

/* The termios settings for @settings on an open descriptor: the path for ptys
 * and for ports libserialport does not know. */
static gboolean
configure_termios (int fd, const TillSerialSettings *settings, GError **error)
{
  struct termios tio;
  speed_t        speed = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (bauds); i++)
    if (bauds[i].baud == settings->baud)
      speed = bauds[i].speed;
  if (speed == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s cannot run at %u baud",
                   settings->path, settings->baud);
      return FALSE;
    }
  if (tcgetattr (fd, &tio) != 0)
    {
      set_errno_error (error, errno, "Not a serial port:", settings->path);
      return FALSE;
    }
  cfmakeraw (&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  tio.c_cflag |= settings->data_bits == 5   ? CS5
                 : settings->data_bits == 6 ? CS6
                 : settings->data_bits == 7 ? CS7
                                            : CS8;
  if (settings->parity != TILL_SERIAL_PARITY_NONE)
    tio.c_cflag |= PARENB | (settings->parity == TILL_SERIAL_PARITY_ODD ? PARODD : 0);
  if (settings->stop_bits == 2)
    tio.c_cflag |= CSTOPB;
  tio.c_iflag &= ~(IXON | IXOFF | IXANY);
  if (settings->flow == TILL_SERIAL_FLOW_RTSCTS)
    tio.c_cflag |= CRTSCTS;
  else if (settings->flow == TILL_SERIAL_FLOW_XONXOFF)
    tio.c_iflag |= IXON | IXOFF;
  /* DTR/DSR has no termios flag: DTR is raised below, and a printer that drops
   * DSR stops taking bytes, which the write timeout reports. */
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  cfsetispeed (&tio, speed);
  cfsetospeed (&tio, speed);
  if (tcsetattr (fd, TCSANOW, &tio) != 0)
    {
      set_errno_error (error, errno, "Cannot configure", settings->path);
      return FALSE;
    }
  if (settings->flow == TILL_SERIAL_FLOW_DTRDSR)
    {
      int dtr = TIOCM_DTR;

      /* A pty has no modem lines: that is not an error. */
      (void) ioctl (fd, TIOCMBIS, &dtr);
    }
  return TRUE;
}

static gboolean
configure_libserialport (struct sp_port *port, const TillSerialSettings *settings, GError **error)
{
  static const enum sp_parity      parities[] = { SP_PARITY_NONE, SP_PARITY_EVEN, SP_PARITY_ODD };
  static const enum sp_flowcontrol flows[] = { SP_FLOWCONTROL_NONE, SP_FLOWCONTROL_RTSCTS,
                                               SP_FLOWCONTROL_XONXOFF, SP_FLOWCONTROL_DTRDSR };

  if (sp_set_baudrate (port, (int) settings->baud) != SP_OK ||
      sp_set_bits (port, (int) settings->data_bits) != SP_OK ||
      sp_set_parity (port, parities[settings->parity]) != SP_OK ||
      sp_set_stopbits (port, (int) settings->stop_bits) != SP_OK ||
      sp_set_flowcontrol (port, flows[settings->flow]) != SP_OK)
    {
      g_autofree char *message = dup_sp_error ();

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot configure %s: %s", settings->path,
                   message);
      return FALSE;
    }
  return TRUE;
}

static gpointer
serial_open (GUri *uri, GError **error)
{
  g_autofree SerialState *state = g_new0 (SerialState, 1);
  struct sp_port         *port = NULL;

  if (!settings_from_uri (uri, &state->settings, error))
    return NULL;
  state->fd = -1;

  /* libserialport knows real ports (and refuses ptys, TESTING.md §6); it also
   * sets the modem lines the way each USB-serial chip wants. */
  if (sp_get_port_by_name (state->settings.path, &port) == SP_OK)
    {
      if (sp_open (port, SP_MODE_READ_WRITE) != SP_OK)
        {
          int saved_errno = sp_last_error_code ();

          sp_free_port (port);
          set_errno_error (error, saved_errno, "Cannot open", state->settings.path);
          till_serial_settings_clear (&state->settings);
          return NULL;
        }
      if (!configure_libserialport (port, &state->settings, error) ||
          sp_get_port_handle (port, &state->fd) != SP_OK)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot use %s",
                         state->settings.path);
          sp_close (port);
          sp_free_port (port);
          till_serial_settings_clear (&state->settings);
          return NULL;
        }
      state->port = port;
    }
  else
    {
      state->fd = open (state->settings.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
      if (state->fd < 0)
        {
          set_errno_error (error, errno, "Cannot open", state->settings.path);
          till_serial_settings_clear (&state->settings);
          return NULL;
        }
      if (!configure_termios (state->fd, &state->settings, error))
        {
          close (state->fd);
          till_serial_settings_clear (&state->settings);
          return NULL;
        }
    }
  /* Our own polls give every wait a timeout. */
  if (!g_unix_set_fd_nonblocking (state->fd, TRUE, NULL))
    g_warning ("Cannot make %s non-blocking", state->settings.path);
  tcflush (state->fd, TCIOFLUSH);
  return g_steal_pointer (&state);
}

static gboolean
serial_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  SerialState *state = data;
  gint64 deadline = g_get_monotonic_time () + state->settings.timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (len > 0)
    {
      struct pollfd pfd = { .fd = state->fd, .events = POLLOUT };
      gint64        left_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      int           ready;
      gssize        n;

      if (left_ms <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s took no data for %u ms: is the printer offline, or the flow control "
                       "setting wrong?",
                       state->settings.path, state->settings.timeout_ms);
          return FALSE;
        }
      ready = poll (&pfd, 1, (int) MIN (left_ms, POLL_SLICE_MS));
      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          set_errno_error (error, errno, "Cannot wait for", state->settings.path);
          return FALSE;
        }
      if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
        {
          set_gone_error (error, state->settings.path);
          return FALSE;
        }
      if (ready == 0)
        continue;
      n = write (state->fd, bytes, len);
      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR || saved_errno == EAGAIN)
            continue;
          if (saved_errno == EIO || saved_errno == ENXIO || saved_errno == ENODEV)
            set_gone_error (error, state->settings.path);
          else
            set_errno_error (error, saved_errno, "Cannot write to", state->settings.path);
          return FALSE;
        }
      bytes += n;
      len -= (gsize) n;
      /* Progress: the timeout counts from the last byte the device took. */
      deadline = g_get_monotonic_time () + state->settings.timeout_ms * G_TIME_SPAN_MILLISECOND;
    }
  return TRUE;
}

static gssize
serial_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  SerialState *state = data;
  gint64       deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      struct pollfd pfd = { .fd = state->fd, .events = POLLIN };
      gint64        left_ms = (deadline - g_get_monotonic_time ()) / G_TIME_SPAN_MILLISECOND;
      int           ready;
      gssize        n;

      ready = poll (&pfd, 1, (int) CLAMP (left_ms, 0, POLL_SLICE_MS));
      if (ready < 0)
        {
          if (errno == EINTR)
            continue;
          set_errno_error (error, errno, "Cannot wait for", state->settings.path);
          return -1;
        }
      if (ready > 0 && (pfd.revents & POLLIN) == 0 &&
          (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
        {
          set_gone_error (error, state->settings.path);
          return -1;
        }
      if (ready > 0)
        {
          n = read (state->fd, buffer, len);
          if (n > 0)
            return n;
          if (n == 0 || errno == EIO || errno == ENXIO || errno == ENODEV)
            {
              set_gone_error (error, state->settings.path);
              return -1;
            }
          if (errno != EINTR && errno != EAGAIN)
            {
              set_errno_error (error, errno, "Cannot read from", state->settings.path);
              return -1;
            }
        }
      if (left_ms <= 0)
        return 0;
    }
}

static gboolean
serial_close (gpointer data, GError **error)
{
  SerialState *state = data;
  gint64 deadline = g_get_monotonic_time () + state->settings.timeout_ms * G_TIME_SPAN_MILLISECOND;
  int    queued = 0;
  gboolean drained;

  /* Wait for the bytes still in the kernel's queue, with the write timeout:
   * tcdrain() and close() would wait without one (30 s on a serial port). */
  while ((drained = ioctl (state->fd, TIOCOUTQ, &queued) != 0 || queued == 0) == FALSE &&
         g_get_monotonic_time () < deadline)
    g_usleep (5 * G_TIME_SPAN_MILLISECOND);
  if (!drained)
    tcflush (state->fd, TCOFLUSH);
  if (state->port != NULL)
    {
      sp_close (state->port);
      g_clear_pointer (&state->port, sp_free_port);
    }
  else
    close (state->fd);
  state->fd = -1;
  if (!drained)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "%s did not take the last %d bytes: is the printer offline?",
                   state->settings.path, queued);
      return FALSE;
    }
  return TRUE;
}

static void
serial_free (gpointer data)
{
  SerialState *state = data;

  if (state->port != NULL)
    {
      sp_close (state->port);
      sp_free_port (state->port);
    }
  else if (state->fd >= 0)
    {
      /* Dropped unclosed (the device failed): drop what is queued, so close()
       * cannot wait for a printer that is gone. */
      tcflush (state->fd, TCOFLUSH);
      close (state->fd);
    }
  till_serial_settings_clear (&state->settings);
  g_free (state);
}

const TillTransportBackend till_transport_serial_backend = {
  .scheme = "serial",
  .open = serial_open,
  .write_all = serial_write_all,
  .read = serial_read,
  .close = serial_close,
  .free = serial_free,
};

static void
port_info_free (gpointer data)
{
  TillSerialPortInfo *info = data;

  g_free (info->path);
  g_free (info->description);
  g_free (info->usb_product);
  g_free (info->usb_serial);
  g_free (info);
}

/**
 * till_serial_settings_parse:
 * Fills @out from a serial:// URI; free it with till_serial_settings_clear().
 */
gboolean
till_serial_settings_parse (const char *uri, TillSerialSettings *out, GError **error)
{
  g_autoptr (GUri) parsed = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED, error);
  if (parsed == NULL)
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (parsed), "serial") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a serial:// URI",
                   uri);
      return FALSE;
    }
  return settings_from_uri (parsed, out, error);
}

void
till_serial_settings_clear (TillSerialSettings *settings)
{
  g_return_if_fail (settings != NULL);

  g_clear_pointer (&settings->path, g_free);
}

/**
 * till_transport_serial_list_ports:
 * The serial ports libserialport finds, with their USB IDs when on USB.
 */
GPtrArray *
till_transport_serial_list_ports (GError **error)
{
  struct sp_port **ports = NULL;
  GPtrArray       *infos;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sp_list_ports (&ports) != SP_OK)
    {
      g_autofree char *message = dup_sp_error ();

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot list the serial ports: %s",
                   message);
      return NULL;
    }
  infos = g_ptr_array_new_with_free_func (port_info_free);
  for (guint i = 0; ports[i] != NULL; i++)
    {
      TillSerialPortInfo *info = g_new0 (TillSerialPortInfo, 1);
      const char         *product;
      const char         *serial;

      info->path = g_strdup (sp_get_port_name (ports[i]));
      info->description = g_strdup (sp_get_port_description (ports[i]));
      info->usb_vid = info->usb_pid = -1;
      if (sp_get_port_transport (ports[i]) == SP_TRANSPORT_USB)
        {
          sp_get_port_usb_vid_pid (ports[i], &info->usb_vid, &info->usb_pid);
          product = sp_get_port_usb_product (ports[i]);
          serial = sp_get_port_usb_serial (ports[i]);
          info->usb_product = g_strdup (product);
          info->usb_serial = g_strdup (serial);
        }
      g_ptr_array_add (infos, info);
    }
  sp_free_port_list (ports);
  return infos;
}
