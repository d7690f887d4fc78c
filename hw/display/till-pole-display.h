/* till-pole-display.h: the customer pole display (客显), one driver per protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TILL_POLE_DISPLAY_ERROR (till_pole_display_error_quark ())

typedef enum
{
  TILL_POLE_DISPLAY_ERROR_FAILED,
  TILL_POLE_DISPLAY_ERROR_URI,           /* unknown protocol or option in the URI */
  TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED, /* the protocol has no such command */
  TILL_POLE_DISPLAY_ERROR_TOO_LONG,      /* the amount or text does not fit */
} TillPoleDisplayError;

typedef enum
{
  TILL_POLE_DISPLAY_PROTOCOL_LED8,   /* 8-digit 7-segment LED with four lamps */
  TILL_POLE_DISPLAY_PROTOCOL_CD5220, /* 2×20 VFD, CD5220 command set */
  TILL_POLE_DISPLAY_PROTOCOL_EPSON,  /* 2×20 VFD, Epson DM-D (ESC/POS display) */
} TillPoleDisplayProtocol;

/* The four lamps printed on an LED 客显, under the digits. */
typedef enum
{
  TILL_POLE_DISPLAY_LAMP_NONE = 0,
  TILL_POLE_DISPLAY_LAMP_PRICE = 1 << 0,  /* 单价 */
  TILL_POLE_DISPLAY_LAMP_TOTAL = 1 << 1,  /* 总计 */
  TILL_POLE_DISPLAY_LAMP_PAID = 1 << 2,   /* 收款 */
  TILL_POLE_DISPLAY_LAMP_CHANGE = 1 << 3, /* 找零 */
} TillPoleDisplayLamps;

/* What the till shows the customer at one moment of the sale. */
typedef enum
{
  TILL_POLE_DISPLAY_SCREEN_CLEAR,   /* nothing */
  TILL_POLE_DISPLAY_SCREEN_WELCOME, /* 欢迎光临, between customers */
  TILL_POLE_DISPLAY_SCREEN_ITEM,    /* the item just scanned: name, price, running total */
  TILL_POLE_DISPLAY_SCREEN_TOTAL,   /* the amount due */
  TILL_POLE_DISPLAY_SCREEN_PAID,    /* the amount due and what the customer handed over */
  TILL_POLE_DISPLAY_SCREEN_CHANGE,  /* what was handed over and the change */
  TILL_POLE_DISPLAY_SCREEN_THANKS,  /* 谢谢光临 */
} TillPoleDisplayScreen;

/* Amounts in fen. A text display shows item_name when it can draw Chinese
 * (text=zh), otherwise item_name_ascii (e.g. the pinyin initials from
 * till_pinyin_initials()), or, when that is NULL, item_name with every
 * character it cannot draw left out. */
typedef struct
{
  TillPoleDisplayScreen screen;
  const char           *item_name;
  const char           *item_name_ascii;
  gint64                item_price; /* ITEM */
  gint64                total;      /* ITEM (the sale so far), TOTAL, PAID */
  gint64                paid;       /* PAID, CHANGE */
  gint64                change;     /* CHANGE */
} TillPoleDisplayState;

/* A display named by a transport URI plus display options in its query:
 *   protocol=led8|cd5220|epson   (required)
 *   model=generic|pd1800a|hisense|partner|ejeton|led8n   (led8: the lamp command set,
 *                                 DEVICES.md §4.1; default generic = ESC s '1'…'4')
 *   text=en|pinyin|zh            (VFD labels: TOTAL/ZONGJI/总计; default en; zh
 *                                 needs a display with a GB2312 font and sends GB18030)
 *   gap=MS                       (pause between commands; pd1800a needs 100)
 *   brightness=1..4              (VFD; sent when the display is opened)
 * e.g. serial:///dev/ttyUSB1?baud=2400&protocol=led8.
 *
 * The blocking calls write to the device and return once it has the bytes, or
 * with an error naming the URI if it is unplugged or stops taking bytes (the
 * transport's write timeout): run them in a worker thread. The app uses
 * till_pole_display_post(), which never waits. */
#define TILL_TYPE_POLE_DISPLAY (till_pole_display_get_type ())
G_DECLARE_FINAL_TYPE (TillPoleDisplay, till_pole_display, TILL, POLE_DISPLAY, GObject)

GQuark till_pole_display_error_quark (void);

/* Checks the URI; opens nothing (the first write opens the device, and a write
 * after a failure opens it again, so a display plugged back in comes back). */
TillPoleDisplay *till_pole_display_new (const char *uri, GError **error) G_GNUC_WARN_UNUSED_RESULT;
const char      *till_pole_display_get_uri (TillPoleDisplay *self);
TillPoleDisplayProtocol till_pole_display_get_protocol (TillPoleDisplay *self);
/* 8 for the LED, 20 for a VFD line. */
guint till_pole_display_get_columns (TillPoleDisplay *self);
/* 1 for the LED, 2 for a VFD. */
guint till_pole_display_get_rows (TillPoleDisplay *self);

/* Blocking. */
gboolean till_pole_display_open (TillPoleDisplay *self, GError **error);
gboolean till_pole_display_close (TillPoleDisplay *self, GError **error);
gboolean
till_pole_display_show (TillPoleDisplay *self, const TillPoleDisplayState *state, GError **error);
gboolean till_pole_display_clear (TillPoleDisplay *self, GError **error);
/* @row 1 or 2 (the LED has one row and shows only digits, '.' and '-'). */
gboolean
till_pole_display_write_line (TillPoleDisplay *self, guint row, const char *text, GError **error);
/* LED only: the number on the digits and the lamps. */
gboolean till_pole_display_show_number (TillPoleDisplay     *self,
                                        gint64               fen,
                                        TillPoleDisplayLamps lamps,
                                        GError             **error);
/* VFD only: @column 1-20, @row 1-2. */
gboolean till_pole_display_set_cursor (
    TillPoleDisplay *self, guint column, guint row, gboolean visible, GError **error);
/* VFD only: @level 1 (dim) to 4 (brightest). */
gboolean till_pole_display_set_brightness (TillPoleDisplay *self, guint level, GError **error);

/* Fire and forget, from the main thread: the state is copied and written by the
 * display's own thread. If the display is still busy with an earlier update,
 * a newer post replaces the one waiting: the customer sees the latest. A failure
 * sets "error-message" (notified in the thread-default main context of the
 * caller of till_pole_display_new()); the next successful write clears it. */
void        till_pole_display_post (TillPoleDisplay *self, const TillPoleDisplayState *state);
const char *till_pole_display_get_error_message (TillPoleDisplay *self);
/* Updates written, and updates replaced by a newer one before they were written. */
guint till_pole_display_get_n_written (TillPoleDisplay *self);
guint till_pole_display_get_n_superseded (TillPoleDisplay *self);
/* Waits (blocking, at most @timeout_ms) until every post has been written or has
 * failed; FALSE on timeout. For tests and for shutdown. */
gboolean till_pole_display_wait_idle (TillPoleDisplay *self, guint timeout_ms);

/* The text a 2×20 display shows for @state, each row padded to @columns,
 * in UTF-8 (what the drivers encode): for the app's "test display" and tests. */
char *till_pole_display_format_row (TillPoleDisplay            *self,
                                    const TillPoleDisplayState *state,
                                    guint                       row) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
