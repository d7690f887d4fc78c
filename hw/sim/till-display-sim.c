/* till-display-sim.c: customer pole displays in software, for tests and the demo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sim"

#include "config.h"

#include <cairo.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "till-display-sim.h"
#include "till-pty.h"

#define LED_PLACES 8
#define VFD_COLUMNS 20
#define VFD_ROWS 2
/* A command that has not ended after this many bytes was not one: its first
 * byte is garbage and decoding resumes after it. */
#define MAX_STRING 64
/* A cell holding the right half of a two-cell character. */
#define WIDE_RIGHT_HALF ((gunichar) 0)

typedef enum
{
  PROTOCOL_LED8,
  PROTOCOL_CD5220,
  PROTOCOL_EPSON,
} Protocol;

typedef enum
{
  LED_GENERIC,
  LED_HISENSE,
  LED_PARTNER,
  LED_EJETON,
  LED_LED8N,
} LedModel;

typedef enum
{
  SCROLL_OVERWRITE,
  SCROLL_VERTICAL,
} ScrollMode;

struct _TillDisplaySim
{
  GObject parent_instance;

  GMutex      lock; /* everything below */
  Protocol    protocol;
  LedModel    led_model;
  gboolean    chinese_font;
  GByteArray *pending; /* bytes of a command not complete yet */

  /* LED */
  char *digits;
  guint lamps;

  /* VFD */
  gunichar   cells[VFD_ROWS][VFD_COLUMNS];
  guint      column; /* cursor, from 0 */
  guint      row;
  gboolean   cursor_visible;
  guint      brightness;
  ScrollMode scroll_mode;

  guint   n_resets;
  guint   n_clears;
  guint64 n_bytes;
  guint   n_garbage_bytes;
  guint   n_unsupported_chars;

  /* The pty. */
  int      master_fd;
  GThread *reader;
  gboolean stopping;
  gboolean silent;
  gboolean busy; /* the reader holds bytes it has not decoded yet */
  GCond    changed;
};

G_DEFINE_FINAL_TYPE (TillDisplaySim, till_display_sim, G_TYPE_OBJECT)

/* ---- Display state -------------------------------------------------------------- */

static void
vfd_clear (TillDisplaySim *self)
{
  for (guint r = 0; r < VFD_ROWS; r++)
    for (guint c = 0; c < VFD_COLUMNS; c++)
      self->cells[r][c] = ' ';
  self->column = 0;
  self->row = 0;
}

static void
reset (TillDisplaySim *self)
{
  g_free (self->digits);
  self->digits = g_strdup ("");
  self->lamps = 0;
  vfd_clear (self);
  self->cursor_visible = TRUE;
  self->brightness = 4;
  self->scroll_mode = SCROLL_OVERWRITE;
}

/* The cursor moves on after a character: to the next row at the end of one,
 * and past the last cell back to the top (overwrite) or scrolling the bottom
 * row up (vertical scroll). */
static void
advance (TillDisplaySim *self)
{
  if (++self->column < VFD_COLUMNS)
    return;
  self->column = 0;
  if (++self->row < VFD_ROWS)
    return;
  if (self->scroll_mode == SCROLL_VERTICAL)
    {
      memcpy (self->cells[0], self->cells[1], sizeof self->cells[0]);
      for (guint c = 0; c < VFD_COLUMNS; c++)
        self->cells[1][c] = ' ';
      self->row = VFD_ROWS - 1;
    }
  else
    self->row = 0;
}

/* Writing over half of a two-cell character blanks its other half. */
static void
put_cell (TillDisplaySim *self, guint row, guint column, gunichar c)
{
  gunichar *cells = self->cells[row];

  if (cells[column] == WIDE_RIGHT_HALF && column > 0)
    cells[column - 1] = ' ';
  if (column + 1 < VFD_COLUMNS && cells[column + 1] == WIDE_RIGHT_HALF)
    cells[column + 1] = ' ';
  cells[column] = c;
}

static void
write_char (TillDisplaySim *self, gunichar c, gboolean wide)
{
  if (wide && self->column == VFD_COLUMNS - 1)
    {
      put_cell (self, self->row, self->column, ' ');
      advance (self);
    }
  put_cell (self, self->row, self->column, c);
  if (wide)
    {
      advance (self);
      put_cell (self, self->row, self->column, WIDE_RIGHT_HALF);
    }
  advance (self);
}

/* Decodes one character of text at @p; returns the bytes it took, 0 when a
 * two-byte character is cut off. */
static gsize
decode_char (TillDisplaySim *self, const guint8 *p, gsize len, gunichar *out_c, gboolean *out_wide)
{
  *out_wide = FALSE;
  if (p[0] < 0x80)
    {
      *out_c = p[0];
      return 1;
    }
  if (self->chinese_font && p[0] >= 0xa1 && p[0] <= 0xf7)
    {
      g_autofree char *utf8 = NULL;

      if (len < 2)
        return 0;
      if (p[1] >= 0xa1 && p[1] <= 0xfe &&
          (utf8 = g_convert ((const char *) p, 2, "UTF-8", "GB18030", NULL, NULL, NULL)) != NULL)
        {
          *out_c = g_utf8_get_char (utf8);
          *out_wide = TRUE;
          return 2;
        }
    }
  /* The font has no glyph for it: a real display draws some code page symbol. */
  self->n_unsupported_chars++;
  *out_c = '?';
  return 1;
}

/* ESC Q A/B … CR (and ESC u A/B … CR): the text replaces the whole row. */
static void
write_row (TillDisplaySim *self, guint row, const guint8 *text, gsize len)
{
  guint saved_column = self->column;
  guint saved_row = self->row;
  gsize i = 0;

  for (guint c = 0; c < VFD_COLUMNS; c++)
    self->cells[row][c] = ' ';
  self->row = row;
  self->column = 0;
  while (i < len)
    {
      gunichar c;
      gboolean wide;
      gsize    used = decode_char (self, text + i, len - i, &c, &wide);

      if (used == 0)
        break;
      i += used;
      if (c < 0x20)
        {
          self->n_garbage_bytes += (guint) used;
          continue;
        }
      if (self->column + (wide ? 2 : 1) > VFD_COLUMNS || self->row != row)
        break; /* longer than the row: the rest is dropped */
      write_char (self, c, wide);
    }
  self->column = saved_column;
  self->row = saved_row;
}

static gsize
find_cr (const guint8 *p, gsize len, gsize from)
{
  for (gsize i = from; i < len; i++)
    if (p[i] == 0x0d)
      return i;
  return 0;
}

/* ---- LED 客显 (DEVICES.md §4.1) ------------------------------------------------- */

static gboolean
valid_led_digits (const guint8 *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (p[i]) && p[i] != '.' && p[i] != '-')
      return FALSE;
  return TRUE;
}

/* Returns the bytes one command took, 0 when it is not complete yet. */
static gsize
parse_led (TillDisplaySim *self, const guint8 *p, gsize len)
{
  gsize end;

  switch (p[0])
    {
    case 0x1b:
      if (len < 2)
        return 0;
      if (p[1] == 0x40)
        {
          reset (self);
          self->n_resets++;
          return 2;
        }
      if (p[1] == 0x51)
        {
          if (len < 3)
            return 0;
          if (p[2] != 'A' && p[2] != 'B')
            break;
          if ((end = find_cr (p, len, 3)) == 0)
            return len > MAX_STRING ? (self->n_garbage_bytes++, 1) : 0;
          if (!valid_led_digits (p + 3, end - 3))
            {
              self->n_garbage_bytes += (guint) (end + 1);
              return end + 1;
            }
          if (p[2] == 'A')
            {
              g_free (self->digits);
              self->digits = g_strndup ((const char *) p + 3, end - 3);
            }
          return end + 1;
        }
      if (p[1] == 0x73)
        {
          guint lamp;

          if (len < 3)
            return 0;
          switch (self->led_model)
            {
            case LED_GENERIC:
              if (p[2] < '0' || p[2] > '4')
                break;
              self->lamps = p[2] == '0' ? 0 : 1u << (p[2] - '1');
              return 3;
            case LED_HISENSE:
              if (p[2] < 1 || p[2] > 4)
                break;
              self->lamps = 1u << (p[2] - 1);
              return 3;
            case LED_PARTNER:
              if (len < 4)
                return 0;
              if (p[2] < 2 || p[2] > 5 || p[3] != 0x01)
                break;
              lamp = p[2] - 2u;
              self->lamps = 1u << lamp;
              return 4;
            case LED_EJETON:
            case LED_LED8N:
            default:
              break;
            }
        }
      break;
    case 0x02:
      if (len < 2)
        return 0;
      if (p[1] == 'B')
        return len < 3 ? 0 : 3; /* baud rate: the pty does not care */
      if (p[1] == 'L' && self->led_model == LED_LED8N)
        {
          guint lamps = 0;

          if (len < 6)
            return 0;
          for (guint i = 0; i < 4; i++)
            {
              if (p[2 + i] != '0' && p[2 + i] != '1')
                {
                  self->n_garbage_bytes++;
                  return 1;
                }
              if (p[2 + i] == '1')
                lamps |= 1u << i;
            }
          self->lamps = lamps;
          return 6;
        }
      break;
    case 0x0c:
    case 0x18:
      g_free (self->digits);
      self->digits = g_strdup ("");
      self->n_clears++;
      return 1;
    case 0x0d:
      return 1;
    case '1':
    case '2':
    case '3':
    case '4':
      if (self->led_model == LED_EJETON)
        {
          self->lamps = 1u << (p[0] - '1');
          return 1;
        }
      break;
    default:
      break;
    }
  self->n_garbage_bytes++;
  return 1;
}

/* ---- 2×20 VFD, CD5220 and Epson DM-D (DEVICES.md §4.2, §4.3) ------------------- */

static gsize
parse_vfd_common (TillDisplaySim *self, const guint8 *p, gsize len)
{
  gunichar c;
  gboolean wide;
  gsize    used;

  switch (p[0])
    {
    case 0x0c:
      vfd_clear (self);
      self->n_clears++;
      return 1;
    case 0x18:
      for (guint col = 0; col < VFD_COLUMNS; col++)
        self->cells[self->row][col] = ' ';
      self->column = 0;
      return 1;
    case 0x0b:
      self->column = 0;
      self->row = 0;
      return 1;
    case 0x08:
      if (self->column > 0)
        self->column--;
      else if (self->row > 0)
        self->row--, self->column = VFD_COLUMNS - 1;
      return 1;
    case 0x09:
      advance (self);
      return 1;
    case 0x0a:
      if (self->row + 1 < VFD_ROWS)
        self->row++;
      return 1;
    case 0x0d:
      self->column = 0;
      return 1;
    default:
      break;
    }
  if (p[0] < 0x20 || p[0] == 0x7f)
    {
      self->n_garbage_bytes++;
      return 1;
    }
  used = decode_char (self, p, len, &c, &wide);
  if (used > 0)
    write_char (self, c, wide);
  return used;
}

static gboolean
set_cursor (TillDisplaySim *self, guint8 x, guint8 y)
{
  if (x < 1 || x > VFD_COLUMNS || y < 1 || y > VFD_ROWS)
    return FALSE;
  self->column = x - 1u;
  self->row = y - 1u;
  return TRUE;
}

static gsize
parse_cd5220 (TillDisplaySim *self, const guint8 *p, gsize len)
{
  gsize end;

  if (p[0] != 0x1b)
    return parse_vfd_common (self, p, len);
  if (len < 2)
    return 0;
  switch (p[1])
    {
    case 0x40:
      reset (self);
      self->n_resets++;
      return 2;
    case 0x51:
      if (len < 3)
        return 0;
      if (p[2] != 'A' && p[2] != 'B' && p[2] != 'D')
        break;
      if ((end = find_cr (p, len, 3)) == 0)
        return len > MAX_STRING ? (self->n_garbage_bytes++, 1) : 0;
      /* ESC Q D scrolls the text along the top row; the picture is its start. */
      write_row (self, p[2] == 'B' ? 1 : 0, p + 3, end - 3);
      return end + 1;
    case 0x6c:
      if (len < 4)
        return 0;
      if (!set_cursor (self, p[2], p[3]))
        break;
      return 4;
    case 0x11:
    case 0x13:
      self->scroll_mode = SCROLL_OVERWRITE; /* horizontal scroll: drawn as overwrite */
      return 2;
    case 0x12:
      self->scroll_mode = SCROLL_VERTICAL;
      return 2;
    case 0x2a:
      if (len < 3)
        return 0;
      if (p[2] < 1 || p[2] > 4)
        break;
      self->brightness = p[2];
      return 3;
    case 0x5f:
      if (len < 3)
        return 0;
      self->cursor_visible = p[2] != 0;
      return 3;
    case 0x66: /* international character set */
    case 0x3d: /* select device */
    case 0x73: /* store user characters */
    case 0x64: /* load user characters */
      return len < 3 ? 0 : 3;
    default:
      break;
    }
  self->n_garbage_bytes++;
  return 1;
}

static gsize
parse_epson (TillDisplaySim *self, const guint8 *p, gsize len)
{
  gsize end;

  if (p[0] == 0x1b)
    {
      if (len < 2)
        return 0;
      switch (p[1])
        {
        case 0x40:
          reset (self);
          self->n_resets++;
          return 2;
        case 0x74: /* code table */
        case 0x52: /* international set */
        case 0x3d: /* select device */
          return len < 3 ? 0 : 3;
        case 0x75: /* UTC mode rows: ESC u A/B … CR */
          if (len < 3)
            return 0;
          if (p[2] != 'A' && p[2] != 'B')
            break;
          if ((end = find_cr (p, len, 3)) == 0)
            return len > MAX_STRING ? (self->n_garbage_bytes++, 1) : 0;
          write_row (self, p[2] == 'B' ? 1 : 0, p + 3, end - 3);
          return end + 1;
        default:
          break;
        }
      self->n_garbage_bytes++;
      return 1;
    }
  if (p[0] == 0x1f)
    {
      if (len < 2)
        return 0;
      switch (p[1])
        {
        case 0x24:
          if (len < 4)
            return 0;
          if (!set_cursor (self, p[2], p[3]))
            break;
          return 4;
        case 0x43:
          if (len < 3)
            return 0;
          self->cursor_visible = p[2] != 0;
          return 3;
        case 0x58:
          if (len < 3)
            return 0;
          if (p[2] < 1 || p[2] > 4)
            break;
          self->brightness = p[2];
          return 3;
        case 0x01:
        case 0x03:
          self->scroll_mode = SCROLL_OVERWRITE;
          return 2;
        case 0x02:
          self->scroll_mode = SCROLL_VERTICAL;
          return 2;
        case 0x42:
          self->column = 0;
          self->row = VFD_ROWS - 1;
          return 2;
        case 0x40: /* self-test */
          return 2;
        case 0x45: /* blink */
        case 0x72: /* reverse */
          return len < 3 ? 0 : 3;
        case 0x23: /* annunciator */
          return len < 4 ? 0 : 4;
        default:
          break;
        }
      self->n_garbage_bytes++;
      return 1;
    }
  return parse_vfd_common (self, p, len);
}

static void
feed_locked (TillDisplaySim *self, const guint8 *data, gsize len)
{
  gsize done = 0;

  self->n_bytes += len;
  g_byte_array_append (self->pending, data, (guint) len);
  while (done < self->pending->len)
    {
      const guint8 *p = self->pending->data + done;
      gsize         left = self->pending->len - done;
      gsize         used;

      switch (self->protocol)
        {
        case PROTOCOL_LED8:
          used = parse_led (self, p, left);
          break;
        case PROTOCOL_CD5220:
          used = parse_cd5220 (self, p, left);
          break;
        case PROTOCOL_EPSON:
        default:
          used = parse_epson (self, p, left);
          break;
        }
      if (used == 0)
        break;
      done += used;
    }
  g_byte_array_remove_range (self->pending, 0, (guint) done);
}

/* ---- The pty ---------------------------------------------------------------------- */

static gpointer
reader_thread (gpointer data)
{
  TillDisplaySim *self = data;
  guint8          buffer[512];

  for (;;)
    {
      struct pollfd poll_fd = { .fd = self->master_fd, .events = POLLIN };
      gboolean      silent;
      gssize        n;

      g_mutex_lock (&self->lock);
      silent = self->silent;
      if (self->stopping)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_mutex_unlock (&self->lock);
      if (silent)
        {
          g_usleep (5000);
          continue;
        }
      if (poll (&poll_fd, 1, 20) <= 0)
        continue;
      if (!(poll_fd.revents & POLLIN))
        {
          /* No one has the device end open (POLLHUP): wait for the driver. */
          g_usleep (5000);
          continue;
        }
      g_mutex_lock (&self->lock);
      self->busy = TRUE;
      g_mutex_unlock (&self->lock);
      n = read (self->master_fd, buffer, sizeof buffer);
      g_mutex_lock (&self->lock);
      if (n > 0)
        feed_locked (self, buffer, (gsize) n);
      self->busy = FALSE;
      g_cond_broadcast (&self->changed);
      g_mutex_unlock (&self->lock);
      if (n <= 0)
        g_usleep (5000);
    }
  return NULL;
}

static void
stop_pty (TillDisplaySim *self)
{
  if (self->reader != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->reader));
    }
  if (self->master_fd >= 0)
    {
      close (self->master_fd);
      self->master_fd = -1;
    }
}

/* ---- Drawing ------------------------------------------------------------------------ */

/* Segments a-g of a 7-segment digit, bit 0 = a (top), clockwise, g = middle. */
static guint8
segments_for (char c)
{
  static const guint8 digits[10] = { 0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f };

  if (c >= '0' && c <= '9')
    return digits[c - '0'];
  if (c == '-')
    return 0x40;
  return 0;
}

/* One segment as a stretched hexagon from (x1, y1) to (x2, y2). */
static void
segment_path (cairo_t *cr, double x1, double y1, double x2, double y2, double thickness)
{
  double half = thickness / 2;

  if (y1 == y2)
    {
      cairo_move_to (cr, x1, y1);
      cairo_line_to (cr, x1 + half, y1 - half);
      cairo_line_to (cr, x2 - half, y2 - half);
      cairo_line_to (cr, x2, y2);
      cairo_line_to (cr, x2 - half, y2 + half);
      cairo_line_to (cr, x1 + half, y1 + half);
    }
  else
    {
      cairo_move_to (cr, x1, y1);
      cairo_line_to (cr, x1 + half, y1 + half);
      cairo_line_to (cr, x2 + half, y2 - half);
      cairo_line_to (cr, x2, y2);
      cairo_line_to (cr, x2 - half, y2 - half);
      cairo_line_to (cr, x1 - half, y1 + half);
    }
  cairo_close_path (cr);
}

static void
set_led_colour (cairo_t *cr, gboolean lit)
{
  if (lit)
    cairo_set_source_rgb (cr, 0.30, 1.0, 0.35);
  else
    cairo_set_source_rgb (cr, 0.05, 0.16, 0.06);
}

static void
draw_digit (cairo_t *cr, double x, double y, guint8 segments, gboolean point)
{
  const double w = 44, h = 84, t = 10, g = 1.5;
  /* Segment ends: a, b, c, d, e, f, g. */
  const double ends[7][4] = {
    { x + g, y, x + w - g, y },
    { x + w, y + g, x + w, y + h / 2 - g },
    { x + w, y + h / 2 + g, x + w, y + h - g },
    { x + g, y + h, x + w - g, y + h },
    { x, y + h / 2 + g, x, y + h - g },
    { x, y + g, x, y + h / 2 - g },
    { x + g, y + h / 2, x + w - g, y + h / 2 },
  };

  for (guint s = 0; s < 7; s++)
    {
      segment_path (cr, ends[s][0], ends[s][1], ends[s][2], ends[s][3], t);
      set_led_colour (cr, (segments >> s) & 1);
      cairo_fill (cr);
    }
  cairo_arc (cr, x + w + 10, y + h, t / 2 + 1, 0, 2 * G_PI);
  set_led_colour (cr, point);
  cairo_fill (cr);
}

static void
draw_text (cairo_t *cr, const char *text, const char *font, double x, double y)
{
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *description = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, description);
  pango_font_description_free (description);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static cairo_surface_t *
render_led (TillDisplaySim *self)
{
  static const char *const lamp_names[4] = { "单价", "总计", "收款", "找零" };
  const int                width = 40 + LED_PLACES * 72, height = 200;
  cairo_surface_t         *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t                 *cr = cairo_create (surface);
  guint8                   segments[LED_PLACES] = { 0 };
  gboolean                 points[LED_PLACES] = { 0 };
  guint                    n_places = 0;
  cairo_matrix_t           slant;

  /* The digits fill the places from the right, as on the device; a '.' lights
   * the point of the digit before it. */
  for (const char *p = self->digits; *p != '\0'; p++)
    if (*p != '.')
      n_places++;
  for (guint place = LED_PLACES - MIN (n_places, LED_PLACES), i = 0; self->digits[i] != '\0'; i++)
    {
      if (self->digits[i] == '.')
        {
          if (place > 0)
            points[place - 1] = TRUE;
          continue;
        }
      if (place < LED_PLACES)
        segments[place++] = segments_for (self->digits[i]);
    }

  cairo_set_source_rgb (cr, 0.02, 0.03, 0.02);
  cairo_paint (cr);
  cairo_save (cr);
  /* 7-segment digits lean a little to the right. */
  cairo_matrix_init (&slant, 1, 0, -0.08, 1, 10, 0);
  cairo_transform (cr, &slant);
  for (guint place = 0; place < LED_PLACES; place++)
    draw_digit (cr, 30 + place * 72, 24, segments[place], points[place]);
  cairo_restore (cr);

  for (guint lamp = 0; lamp < 4; lamp++)
    {
      double   x = 40 + lamp * (LED_PLACES * 72 / 4.0);
      gboolean lit = (self->lamps >> lamp) & 1;

      cairo_arc (cr, x + 10, 160, 8, 0, 2 * G_PI);
      if (lit)
        cairo_set_source_rgb (cr, 1.0, 0.25, 0.15);
      else
        cairo_set_source_rgb (cr, 0.18, 0.06, 0.05);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, lit ? 0.95 : 0.55, lit ? 0.95 : 0.55, lit ? 0.95 : 0.55);
      draw_text (cr, lamp_names[lamp], "Noto Sans CJK SC 20px", x + 26, 144);
    }
  cairo_destroy (cr);
  return surface;
}

#define DOT_COLUMNS 5
#define DOT_ROWS 8 /* 7 above the baseline and one for descenders */
#define DOT_PITCH 5
#define CELL_GAP 7

/* The dots of @c on a 5×8 matrix, bit (row * 5 + column): the glyph of a
 * monospace font sampled as a VFD's character generator would draw it. */
static guint64
glyph_dots (gunichar c)
{
  const int        scale = 10; /* pixels per dot while sampling */
  cairo_surface_t *surface =
      cairo_image_surface_create (CAIRO_FORMAT_A8, DOT_COLUMNS * scale, DOT_ROWS * scale);
  cairo_t *cr = cairo_create (surface);
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("DejaVu Sans Mono Bold");
  char                  utf8[8] = { 0 };
  PangoRectangle        logical;
  guint64               dots = 0;
  unsigned char        *data;
  int                   stride;

  g_unichar_to_utf8 (c, utf8);
  /* Cap height is 0.73 em in DejaVu Sans Mono: 7 rows of dots. */
  pango_font_description_set_absolute_size (font, 7.0 * scale / 0.73 * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, utf8, -1);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  cairo_scale (cr, (double) DOT_COLUMNS * scale / MAX (logical.width, 1), 1.0);
  cairo_move_to (cr, 0, 7.0 * scale - pango_layout_get_baseline (layout) / (double) PANGO_SCALE);
  pango_cairo_show_layout (cr, layout);
  cairo_surface_flush (surface);

  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int row = 0; row < DOT_ROWS; row++)
    for (int column = 0; column < DOT_COLUMNS; column++)
      {
        guint sum = 0;

        for (int y = row * scale; y < (row + 1) * scale; y++)
          for (int x = column * scale; x < (column + 1) * scale; x++)
            sum += data[y * stride + x];
        if (sum > 255u * scale * scale * 35 / 100)
          dots |= G_GUINT64_CONSTANT (1) << (row * DOT_COLUMNS + column);
      }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return dots;
}

static cairo_surface_t *
render_vfd (TillDisplaySim *self)
{
  const int        cell_width = DOT_COLUMNS * DOT_PITCH, cell_height = DOT_ROWS * DOT_PITCH;
  const int        margin = 28, row_gap = 14;
  const int        width = 2 * margin + VFD_COLUMNS * cell_width + (VFD_COLUMNS - 1) * CELL_GAP;
  const int        height = 2 * margin + VFD_ROWS * cell_height + row_gap;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t         *cr = cairo_create (surface);
  /* Brightness 1-4 dims the lit dots the way the device does. */
  double glow = 0.45 + 0.55 * (self->brightness / 4.0);

  cairo_set_source_rgb (cr, 0.03, 0.05, 0.05);
  cairo_paint (cr);
  for (guint row = 0; row < VFD_ROWS; row++)
    for (guint column = 0; column < VFD_COLUMNS; column++)
      {
        gunichar c = self->cells[row][column];
        double   x = margin + column * (cell_width + CELL_GAP);
        double   y = margin + row * (cell_height + row_gap);
        gboolean wide = column + 1 < VFD_COLUMNS && self->cells[row][column + 1] == WIDE_RIGHT_HALF;
        guint64  dots = (c == WIDE_RIGHT_HALF || wide || c == ' ') ? 0 : glyph_dots (c);
        gboolean cursor_here = self->cursor_visible && row == self->row && column == self->column;

        for (int dy = 0; dy < DOT_ROWS; dy++)
          for (int dx = 0; dx < DOT_COLUMNS; dx++)
            {
              gboolean lit = (dots >> (dy * DOT_COLUMNS + dx)) & 1;

              if (cursor_here && dy == DOT_ROWS - 1)
                lit = TRUE;
              if (lit)
                cairo_set_source_rgb (cr, 0.45 * glow, 1.0 * glow, 0.85 * glow);
              else
                cairo_set_source_rgb (cr, 0.06, 0.13, 0.12);
              cairo_rectangle (cr, x + dx * DOT_PITCH, y + dy * DOT_PITCH, DOT_PITCH - 1,
                               DOT_PITCH - 1);
              cairo_fill (cr);
            }
      }
  /* Chinese VFDs draw Han characters from a 16-dot font over two cells; drawn
   * here as smooth text in the dots' colour, over the dots of both cells. */
  for (guint row = 0; row < VFD_ROWS; row++)
    for (guint column = 0; column + 1 < VFD_COLUMNS; column++)
      if (self->cells[row][column] != WIDE_RIGHT_HALF &&
          self->cells[row][column + 1] == WIDE_RIGHT_HALF)
        {
          double x = margin + column * (cell_width + CELL_GAP);
          double y = margin + row * (cell_height + row_gap);
          char   utf8[8] = { 0 };

          g_unichar_to_utf8 (self->cells[row][column], utf8);
          cairo_set_source_rgb (cr, 0.03, 0.05, 0.05);
          cairo_rectangle (cr, x - 1, y - 1, 2 * cell_width + CELL_GAP + 2, cell_height + 2);
          cairo_fill (cr);
          cairo_set_source_rgb (cr, 0.45 * glow, 1.0 * glow, 0.85 * glow);
          draw_text (cr, utf8, "Noto Sans CJK SC Bold 36px",
                     x + (2 * cell_width + CELL_GAP - 36) / 2.0, y - 7);
        }
  cairo_destroy (cr);
  return surface;
}

/* ---- GObject ------------------------------------------------------------------------ */

static void
till_display_sim_dispose (GObject *object)
{
  stop_pty (TILL_DISPLAY_SIM (object));

  G_OBJECT_CLASS (till_display_sim_parent_class)->dispose (object);
}

static void
till_display_sim_finalize (GObject *object)
{
  TillDisplaySim *self = TILL_DISPLAY_SIM (object);

  g_byte_array_unref (self->pending);
  g_free (self->digits);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->changed);

  G_OBJECT_CLASS (till_display_sim_parent_class)->finalize (object);
}

static void
till_display_sim_class_init (TillDisplaySimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_display_sim_dispose;
  object_class->finalize = till_display_sim_finalize;
}

static void
till_display_sim_init (TillDisplaySim *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->changed);
  self->pending = g_byte_array_new ();
  self->master_fd = -1;
  reset (self);
}

/* ---- Public API ------------------------------------------------------------------- */

/**
 * till_display_sim_new:
 * A display speaking @protocol, freshly powered on (blank, cursor home).
 */
TillDisplaySim *
till_display_sim_new (const char *protocol, const char *model)
{
  static const struct
  {
    const char *name;
    LedModel    model;
  } models[] = {
    { "generic", LED_GENERIC }, { "pd1800a", LED_GENERIC }, { "hisense", LED_HISENSE },
    { "partner", LED_PARTNER }, { "ejeton", LED_EJETON },   { "led8n", LED_LED8N },
  };
  TillDisplaySim *self;
  Protocol        parsed;
  LedModel        led_model = LED_GENERIC;
  gboolean        found = model == NULL;

  g_return_val_if_fail (protocol != NULL, NULL);

  if (g_str_equal (protocol, "led8"))
    parsed = PROTOCOL_LED8;
  else if (g_str_equal (protocol, "cd5220"))
    parsed = PROTOCOL_CD5220;
  else if (g_str_equal (protocol, "epson"))
    parsed = PROTOCOL_EPSON;
  else
    return NULL;
  for (guint i = 0; model != NULL && i < G_N_ELEMENTS (models); i++)
    if (g_str_equal (model, models[i].name))
      {
        led_model = models[i].model;
        found = TRUE;
      }
  if (!found)
    return NULL;

  self = g_object_new (TILL_TYPE_DISPLAY_SIM, NULL);
  self->protocol = parsed;
  self->led_model = led_model;
  return self;
}

void
till_display_sim_set_chinese_font (TillDisplaySim *self, gboolean chinese_font)
{
  g_return_if_fail (TILL_IS_DISPLAY_SIM (self));

  g_mutex_lock (&self->lock);
  self->chinese_font = chinese_font;
  g_mutex_unlock (&self->lock);
}

void
till_display_sim_feed (TillDisplaySim *self, const guint8 *data, gsize len)
{
  g_return_if_fail (TILL_IS_DISPLAY_SIM (self));
  g_return_if_fail (data != NULL || len == 0);

  g_mutex_lock (&self->lock);
  feed_locked (self, data, len);
  g_mutex_unlock (&self->lock);
}

/**
 * till_display_sim_open_pty:
 * Puts the display on a new pty and starts reading it.
 */
gboolean
till_display_sim_open_pty (TillDisplaySim *self, char **out_device_path, GError **error)
{
  int master_fd = -1;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), FALSE);
  g_return_val_if_fail (out_device_path != NULL, FALSE);
  g_return_val_if_fail (self->reader == NULL && self->master_fd < 0, FALSE);

  if (!till_pty_open (&master_fd, out_device_path, error))
    return FALSE;
  self->master_fd = master_fd;
  self->stopping = FALSE;
  self->reader = g_thread_new ("till-display-sim", reader_thread, self);
  return TRUE;
}

/**
 * till_display_sim_sync:
 * Waits until the pty has nothing left to read and nothing arrived for a
 * moment (the kernel hands written bytes over a little later: on a loaded
 * machine more than 30 ms later, so the moment is 100 ms).
 */
gboolean
till_display_sim_sync (TillDisplaySim *self, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gint64 quiet_since = 0;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), FALSE);
  g_return_val_if_fail (self->master_fd >= 0, FALSE);

  while (g_get_monotonic_time () < deadline)
    {
      int      waiting = 0;
      gboolean idle;
      gint64   now = g_get_monotonic_time ();

      g_mutex_lock (&self->lock);
      idle = !self->busy && !self->silent && ioctl (self->master_fd, FIONREAD, &waiting) == 0 &&
             waiting == 0;
      g_mutex_unlock (&self->lock);
      if (!idle)
        quiet_since = 0;
      else if (quiet_since == 0)
        quiet_since = now;
      else if (now - quiet_since >= 100 * 1000)
        return TRUE;
      g_usleep (2000);
    }
  return FALSE;
}

void
till_display_sim_set_silent (TillDisplaySim *self, gboolean silent)
{
  g_return_if_fail (TILL_IS_DISPLAY_SIM (self));

  g_mutex_lock (&self->lock);
  self->silent = silent;
  g_mutex_unlock (&self->lock);
}

void
till_display_sim_unplug (TillDisplaySim *self)
{
  g_return_if_fail (TILL_IS_DISPLAY_SIM (self));

  stop_pty (self);
}

char *
till_display_sim_dup_digits (TillDisplaySim *self)
{
  char *digits;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), NULL);

  g_mutex_lock (&self->lock);
  digits = g_strdup (self->digits);
  g_mutex_unlock (&self->lock);
  return digits;
}

guint
till_display_sim_get_lamps (TillDisplaySim *self)
{
  guint lamps;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), 0);

  g_mutex_lock (&self->lock);
  lamps = self->lamps;
  g_mutex_unlock (&self->lock);
  return lamps;
}

char *
till_display_sim_dup_row (TillDisplaySim *self, guint row)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), NULL);
  g_return_val_if_fail (row >= 1 && row <= VFD_ROWS, NULL);

  g_mutex_lock (&self->lock);
  for (guint column = 0; column < VFD_COLUMNS; column++)
    if (self->cells[row - 1][column] != WIDE_RIGHT_HALF)
      g_string_append_unichar (text, self->cells[row - 1][column]);
  g_mutex_unlock (&self->lock);
  return g_string_free (text, FALSE);
}

guint
till_display_sim_get_brightness (TillDisplaySim *self)
{
  guint brightness;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), 0);

  g_mutex_lock (&self->lock);
  brightness = self->brightness;
  g_mutex_unlock (&self->lock);
  return brightness;
}

/* Returns whether the cursor shows; its place counts from 1. */
gboolean
till_display_sim_get_cursor (TillDisplaySim *self, guint *out_column, guint *out_row)
{
  gboolean visible;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), FALSE);

  g_mutex_lock (&self->lock);
  if (out_column != NULL)
    *out_column = self->column + 1;
  if (out_row != NULL)
    *out_row = self->row + 1;
  visible = self->cursor_visible;
  g_mutex_unlock (&self->lock);
  return visible;
}

#define COUNTER_GETTER(type, name)                        \
  type till_display_sim_get_##name (TillDisplaySim *self) \
  {                                                       \
    type value;                                           \
                                                          \
    g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), 0); \
    g_mutex_lock (&self->lock);                           \
    value = self->name;                                   \
    g_mutex_unlock (&self->lock);                         \
    return value;                                         \
  }

COUNTER_GETTER (guint, n_resets)
COUNTER_GETTER (guint, n_clears)
COUNTER_GETTER (guint64, n_bytes)
COUNTER_GETTER (guint, n_garbage_bytes)
COUNTER_GETTER (guint, n_unsupported_chars)

/**
 * till_display_sim_render_png:
 * Draws what the display shows now into a PNG at @path.
 */
gboolean
till_display_sim_render_png (TillDisplaySim *self, const char *path, GError **error)
{
  cairo_surface_t *surface;
  cairo_status_t   status;

  g_return_val_if_fail (TILL_IS_DISPLAY_SIM (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  surface = self->protocol == PROTOCOL_LED8 ? render_led (self) : render_vfd (self);
  g_mutex_unlock (&self->lock);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
