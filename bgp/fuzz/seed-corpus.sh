#!/usr/bin/env bash
# Seeds the fuzz corpora from the captured fixtures: each real peer's message
# becomes an input of the `message` target, prefixed with the context byte
# that its session negotiated (bit 0 four-octet AS, bit 1 add-path IPv4,
# bit 2 add-path IPv6, bit 3 extended message; see fuzz_targets/common.rs).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../tests/fixtures"
mkdir -p "$here/corpus/message" "$here/corpus/attributes" "$here/corpus/nlri"
tail -n +2 "$fixtures/MANIFEST.tsv" | while IFS=$'\t' read -r file _sender _receiver _type four ap4 ap6 ext _desc; do
  ctx=0
  [ "$four" = yes ] && ctx=$((ctx | 1))
  [ "$ap4" = yes ] && ctx=$((ctx | 2))
  [ "$ap6" = yes ] && ctx=$((ctx | 4))
  [ "$ext" = yes ] && ctx=$((ctx | 8))
  name=$(echo "$file" | tr '/' '_')
  { printf '%b' "\\x$(printf %02x "$ctx")"; cat "$fixtures/$file"; } > "$here/corpus/message/$name"
done
echo "seeded $(find "$here/corpus/message" -type f | wc -l) inputs into corpus/message"
