/* What the JSON and the text renderer of the inspection report share: how a statistics value and
 * raw bytes are spelt. Internal to src/inspect/. */
#ifndef LAKE_INSPECT_RENDER_H
#define LAKE_INSPECT_RENDER_H

#include "lake/inspect.h"

/* Appends v as a JSON value: numbers as numbers (NaN and infinities as the strings "NaN",
 * "Infinity", "-Infinity"), text as a string, bytes as {"hex":"..."}. */
void inspect_json_value(lake_buf *b, const pq_value *v);

/* Appends p[0..n) as lower-case hex digits. */
void inspect_hex(lake_buf *b, const uint8_t *p, size_t n);

#endif
