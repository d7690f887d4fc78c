/* till-transport-usb.c: usb://VID:PID, USB receipt printers through libusb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-transport"

#include "config.h"

#include <libusb.h>
#include <string.h>

#include "till-transport-usb.h"

#define DEFAULT_TIMEOUT_MS 5000
#define WRITE_CHUNK 4096
#define READ_CHUNK 512 /* a multiple of every bulk packet size: no overflow */
#define USB_CLASS_PRINTER 7

G_DEFINE_AUTOPTR_CLEANUP_FUNC (libusb_device_handle, libusb_close)

typedef struct
{
  TillUsbAddress        address;
  char                 *name; /* VID:PID, for messages */
  libusb_context       *context;
  libusb_device_handle *handle;
  guint8                out_endpoint;
  guint8                in_endpoint; /* 0: none */
  gboolean              claimed;
  gboolean              reattach_kernel_driver;
  GByteArray           *pending; /* read beyond what the caller asked for */
} UsbState;

static gboolean
parse_hex16 (const char *text, gsize len, guint16 *out)
{
  guint value = 0;

  if (len == 0 || len > 4)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int digit = g_ascii_xdigit_value (text[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + (guint) digit;
    }
  *out = (guint16) value;
  return TRUE;
}

static gboolean
parse_number (GHashTable *params, const char *key, guint64 max, guint64 *value, GError **error)
{
  const char *text = g_hash_table_lookup (params, key);

  if (text == NULL)
    return TRUE;
  /* Endpoints are written in hex (0x82) as often as in decimal. */
  if (g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X")
          ? !g_ascii_string_to_unsigned (text + 2, 16, 0, max, value, NULL)
          : !g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s must be a number up to %" G_GUINT64_FORMAT ", not “%s”", key, max, text);
      return FALSE;
    }
  return TRUE;
}

/* @authority is "VID:PID" (hex); @query may be NULL. */
static gboolean
parse_address (const char *authority, const char *query, TillUsbAddress *out, GError **error)
{
  const char *colon = authority != NULL ? strchr (authority, ':') : NULL;
  g_autoptr (GHashTable) params = NULL;
  TillUsbAddress address = { .out_endpoint = -1,
                             .in_endpoint = -1,
                             .timeout_ms = DEFAULT_TIMEOUT_MS };
  guint64        value;

  if (colon == NULL || !parse_hex16 (authority, (gsize) (colon - authority), &address.vendor_id) ||
      !parse_hex16 (colon + 1, strlen (colon + 1), &address.product_id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A USB URI is usb://VID:PID in hex, as in usb://0416:5011, not “usb://%s”",
                   authority != NULL ? authority : "");
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

  value = 0;
  if (!parse_number (params, "interface", 255, &value, error))
    return FALSE;
  address.interface = (guint) value;
  value = G_MAXUINT64;
  if (!parse_number (params, "out", 255, &value, error))
    return FALSE;
  if (value != G_MAXUINT64)
    {
      if (value & 0x80)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "out=0x%02x is an IN endpoint", (guint) value);
          return FALSE;
        }
      address.out_endpoint = (int) value;
    }
  value = G_MAXUINT64;
  if (!parse_number (params, "in", 255, &value, error))
    return FALSE;
  if (value != G_MAXUINT64)
    {
      if (!(value & 0x80))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "in=0x%02x is an OUT endpoint", (guint) value);
          return FALSE;
        }
      address.in_endpoint = (int) value;
    }
  value = address.timeout_ms;
  if (!parse_number (params, "timeout", 600000, &value, error))
    return FALSE;
  address.timeout_ms = value > 0 ? (guint) value : DEFAULT_TIMEOUT_MS;
  address.serial = g_strdup (g_hash_table_lookup (params, "serial"));
  *out = address;
  return TRUE;
}

static void
set_usb_error (GError **error, int code, const char *name, const char *doing)
{
  switch (code)
    {
    case LIBUSB_ERROR_NO_DEVICE:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "The USB printer %s was unplugged while %s", name, doing);
      break;
    case LIBUSB_ERROR_ACCESS:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "No permission to use the USB device %s (are the udev rules installed?)", name);
      break;
    case LIBUSB_ERROR_BUSY:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "The USB device %s is in use by another program", name);
      break;
    case LIBUSB_ERROR_TIMEOUT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "The USB printer %s took no data while %s: is it offline?", name, doing);
      break;
    case LIBUSB_ERROR_PIPE:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The USB printer %s stalled while %s (paper out or an error?)", name, doing);
      break;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "USB device %s, while %s: %s", name, doing,
                   libusb_strerror (code));
      break;
    }
}

static char *
read_string (libusb_device_handle *handle, guint8 index)
{
  unsigned char text[256];
  int           len;

  if (index == 0)
    return NULL;
  len = libusb_get_string_descriptor_ascii (handle, index, text, sizeof text);
  if (len < 0)
    return NULL;
  return g_strndup ((const char *) text, (gsize) len);
}

/* Opens the device @address names; NULL with @error when there is none. */
static libusb_device_handle *
find_device (UsbState *state, GError **error)
{
  libusb_device       **devices = NULL;
  ssize_t               n_devices = libusb_get_device_list (state->context, &devices);
  libusb_device_handle *found = NULL;
  int                   last_error = 0;

  if (n_devices < 0)
    {
      set_usb_error (error, (int) n_devices, state->name, "listing the USB devices");
      return NULL;
    }
  for (ssize_t i = 0; i < n_devices && found == NULL; i++)
    {
      struct libusb_device_descriptor descriptor;
      g_autoptr (libusb_device_handle) handle = NULL;
      int code;

      if (libusb_get_device_descriptor (devices[i], &descriptor) != 0 ||
          descriptor.idVendor != state->address.vendor_id ||
          descriptor.idProduct != state->address.product_id)
        continue;
      code = libusb_open (devices[i], &handle);
      if (code != 0)
        {
          last_error = code;
          continue;
        }
      if (state->address.serial != NULL)
        {
          g_autofree char *serial = read_string (handle, descriptor.iSerialNumber);

          if (g_strcmp0 (serial, state->address.serial) != 0)
            continue;
        }
      found = g_steal_pointer (&handle);
    }
  libusb_free_device_list (devices, 1);
  if (found == NULL)
    {
      if (last_error != 0)
        set_usb_error (error, last_error, state->name, "opening it");
      else if (state->address.serial != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     "No USB device %s with serial number %s is connected", state->name,
                     state->address.serial);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No USB device %s is connected",
                     state->name);
    }
  return found;
}

/* The first bulk OUT and bulk IN endpoints of the interface. */
static gboolean
find_endpoints (UsbState *state, GError **error)
{
  struct libusb_config_descriptor *config = NULL;
  int code = libusb_get_active_config_descriptor (libusb_get_device (state->handle), &config);
  int out_endpoint = state->address.out_endpoint;
  int in_endpoint = state->address.in_endpoint;

  if (code != 0)
    {
      set_usb_error (error, code, state->name, "reading its descriptors");
      return FALSE;
    }
  if (state->address.interface >= config->bNumInterfaces ||
      config->interface[state->address.interface].num_altsetting < 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The USB device %s has no interface %u",
                   state->name, state->address.interface);
      libusb_free_config_descriptor (config);
      return FALSE;
    }
  {
    const struct libusb_interface_descriptor *setting =
        &config->interface[state->address.interface].altsetting[0];

    for (guint i = 0; i < setting->bNumEndpoints; i++)
      {
        const struct libusb_endpoint_descriptor *endpoint = &setting->endpoint[i];

        if ((endpoint->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
          continue;
        if ((endpoint->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN)
          {
            if (in_endpoint < 0)
              in_endpoint = endpoint->bEndpointAddress;
          }
        else if (out_endpoint < 0)
          out_endpoint = endpoint->bEndpointAddress;
      }
  }
  libusb_free_config_descriptor (config);
  if (out_endpoint < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The USB device %s has no bulk OUT endpoint on interface %u: is it a printer?",
                   state->name, state->address.interface);
      return FALSE;
    }
  state->out_endpoint = (guint8) out_endpoint;
  state->in_endpoint = in_endpoint >= 0 ? (guint8) in_endpoint : 0;
  return TRUE;
}

static void
release (UsbState *state)
{
  if (state->handle != NULL)
    {
      if (state->claimed)
        libusb_release_interface (state->handle, (int) state->address.interface);
      if (state->reattach_kernel_driver)
        libusb_attach_kernel_driver (state->handle, (int) state->address.interface);
      g_clear_pointer (&state->handle, libusb_close);
    }
  state->claimed = FALSE;
  state->reattach_kernel_driver = FALSE;
  g_clear_pointer (&state->context, libusb_exit);
}

static void
usb_free (gpointer data)
{
  UsbState *state = data;

  release (state);
  till_usb_address_clear (&state->address);
  g_clear_pointer (&state->pending, g_byte_array_unref);
  g_free (state->name);
  g_free (state);
}

static gpointer
usb_open (GUri *uri, GError **error)
{
  const char      *host = g_uri_get_host (uri);
  g_autofree char *authority = NULL;
  UsbState        *state = g_new0 (UsbState, 1);
  int              code;

  /* till_transport_open() keeps VID:PID together; a URI built elsewhere may
   * still have split it into host and port. */
  authority = g_uri_get_port (uri) >= 0 ? g_strdup_printf ("%s:%04d", host, g_uri_get_port (uri))
                                        : g_strdup (host);
  state->pending = g_byte_array_new ();
  if (!parse_address (authority, g_uri_get_query (uri), &state->address, error))
    {
      usb_free (state);
      return NULL;
    }
  state->name = g_strdup_printf ("%04x:%04x", state->address.vendor_id, state->address.product_id);
  code = libusb_init (&state->context);
  if (code != 0)
    {
      state->context = NULL;
      set_usb_error (error, code, state->name, "starting libusb");
      usb_free (state);
      return NULL;
    }
  state->handle = find_device (state, error);
  if (state->handle == NULL || !find_endpoints (state, error))
    {
      usb_free (state);
      return NULL;
    }
  /* The kernel's usblp driver holds printers: borrow the interface from it and
   * give it back on close. */
  if (libusb_kernel_driver_active (state->handle, (int) state->address.interface) == 1)
    {
      code = libusb_detach_kernel_driver (state->handle, (int) state->address.interface);
      if (code != 0)
        {
          set_usb_error (error, code, state->name, "detaching the kernel driver");
          usb_free (state);
          return NULL;
        }
      state->reattach_kernel_driver = TRUE;
    }
  code = libusb_claim_interface (state->handle, (int) state->address.interface);
  if (code != 0)
    {
      set_usb_error (error, code, state->name, "claiming the interface");
      usb_free (state);
      return NULL;
    }
  state->claimed = TRUE;
  return state;
}

static gboolean
usb_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  UsbState *state = data;
  gint64 deadline = g_get_monotonic_time () + state->address.timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (len > 0)
    {
      int chunk = (int) MIN (len, WRITE_CHUNK);
      int transferred = 0;
      int code = libusb_bulk_transfer (state->handle, state->out_endpoint, (unsigned char *) bytes,
                                       chunk, &transferred, state->address.timeout_ms);

      if (transferred > 0)
        {
          bytes += transferred;
          len -= (gsize) transferred;
          deadline = g_get_monotonic_time () + state->address.timeout_ms * G_TIME_SPAN_MILLISECOND;
        }
      if (code == 0 || (code == LIBUSB_ERROR_TIMEOUT && g_get_monotonic_time () < deadline))
        continue;
      set_usb_error (error, code, state->name, "printing");
      return FALSE;
    }
  return TRUE;
}

static gssize
usb_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  UsbState     *state = data;
  unsigned char packet[READ_CHUNK];
  int           transferred = 0;
  int           code;
  gsize         n;

  if (state->in_endpoint == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The USB printer %s has no IN endpoint: it cannot report its status",
                   state->name);
      return -1;
    }
  if (state->pending->len == 0)
    {
      code = libusb_bulk_transfer (state->handle, state->in_endpoint, packet, sizeof packet,
                                   &transferred, MAX (timeout_ms, 1));
      if (code != 0 && code != LIBUSB_ERROR_TIMEOUT)
        {
          set_usb_error (error, code, state->name, "reading its status");
          return -1;
        }
      g_byte_array_append (state->pending, packet, (guint) MAX (transferred, 0));
    }
  n = MIN (len, state->pending->len);
  memcpy (buffer, state->pending->data, n);
  g_byte_array_remove_range (state->pending, 0, (guint) n);
  return (gssize) n;
}

static gboolean
usb_close (gpointer data, GError **error)
{
  UsbState *state = data;

  release (state);
  return TRUE;
}

const TillTransportBackend till_transport_usb_backend = {
  .scheme = "usb",
  .open = usb_open,
  .write_all = usb_write_all,
  .read = usb_read,
  .close = usb_close,
  .free = usb_free,
};

static void
device_info_free (gpointer data)
{
  TillUsbDeviceInfo *info = data;

  g_free (info->manufacturer);
  g_free (info->product);
  g_free (info->serial);
  g_free (info);
}

/**
 * till_usb_address_parse:
 * Parses usb://VID:PID[?serial=..&interface=N&out=EP&in=EP&timeout=MS].
 */
gboolean
till_usb_address_parse (const char *uri, TillUsbAddress *out, GError **error)
{
  g_autofree char *authority = NULL;
  const char      *rest;
  const char      *query;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_ascii_strncasecmp (uri, "usb://", 6) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "“%s” is not a usb:// URI", uri);
      return FALSE;
    }
  rest = uri + 6;
  query = strchr (rest, '?');
  authority = query != NULL ? g_strndup (rest, (gsize) (query - rest)) : g_strdup (rest);
  /* A trailing slash (usb://0416:5011/) is harmless. */
  if (g_str_has_suffix (authority, "/"))
    authority[strlen (authority) - 1] = '\0';
  return parse_address (authority, query != NULL ? query + 1 : NULL, out, error);
}

void
till_usb_address_clear (TillUsbAddress *address)
{
  g_return_if_fail (address != NULL);

  g_clear_pointer (&address->serial, g_free);
}

/**
 * till_transport_usb_list_devices:
 * Every device on the USB buses, with its strings when it can be opened.
 */
GPtrArray *
till_transport_usb_list_devices (GError **error)
{
  libusb_context *context = NULL;
  libusb_device **devices = NULL;
  ssize_t         n_devices;
  GPtrArray      *infos;
  int             code;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  code = libusb_init (&context);
  if (code != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot start libusb: %s",
                   libusb_strerror (code));
      return NULL;
    }
  n_devices = libusb_get_device_list (context, &devices);
  if (n_devices < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot list the USB devices: %s",
                   libusb_strerror ((int) n_devices));
      libusb_exit (context);
      return NULL;
    }
  infos = g_ptr_array_new_with_free_func (device_info_free);
  for (ssize_t i = 0; i < n_devices; i++)
    {
      struct libusb_device_descriptor  descriptor;
      struct libusb_config_descriptor *config = NULL;
      g_autoptr (libusb_device_handle) handle = NULL;
      TillUsbDeviceInfo *info;

      if (libusb_get_device_descriptor (devices[i], &descriptor) != 0)
        continue;
      info = g_new0 (TillUsbDeviceInfo, 1);
      info->vendor_id = descriptor.idVendor;
      info->product_id = descriptor.idProduct;
      info->bus = libusb_get_bus_number (devices[i]);
      info->address = libusb_get_device_address (devices[i]);
      info->is_printer = descriptor.bDeviceClass == USB_CLASS_PRINTER;
      if (libusb_get_active_config_descriptor (devices[i], &config) == 0)
        {
          for (guint j = 0; j < config->bNumInterfaces; j++)
            if (config->interface[j].num_altsetting > 0 &&
                config->interface[j].altsetting[0].bInterfaceClass == USB_CLASS_PRINTER)
              info->is_printer = TRUE;
          libusb_free_config_descriptor (config);
        }
      if (libusb_open (devices[i], &handle) == 0)
        {
          info->manufacturer = read_string (handle, descriptor.iManufacturer);
          info->product = read_string (handle, descriptor.iProduct);
          info->serial = read_string (handle, descriptor.iSerialNumber);
        }
      g_ptr_array_add (infos, info);
    }
  libusb_free_device_list (devices, 1);
  libusb_exit (context);
  return infos;
}
