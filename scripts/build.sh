#!/usr/bin/env bash
# Builds the npm package into pkg/ and the native `toolmemo` program
# (target/release/toolmemo).
#
#   pkg/node    Node: CommonJS, every feature (Memory on the memory, filesystem
#               and IndexedDB stores), `release` profile (opt-level 3: speed)
#   pkg/web     browsers and bundlers: ESM, Memory on the memory and IndexedDB
#               stores, `wasm-release` profile (opt-level z: size)
#   pkg/lite    `toolmemo/lite`: ESM, Interface only, `wasm-release`
#   pkg/entry   the package's entry points (crate/src/wasm/js/)
#   pkg/types   its TypeScript declarations (types/)
#
# package.json's `exports` map ties them together; scripts/size.mjs reports
# what each entry weighs.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# wasm-pack into a fresh folder, then swapped in, so a page or test reading
# pkg/ meanwhile sees the old build or the new one, never half of one.
build() { # name target profile-flag features...
  local name=$1 target=$2 profile=$3
  shift 3
  rm -rf "pkg/$name.new"
  wasm-pack --quiet build crate "$profile" --target "$target" --out-dir "../pkg/$name.new" --out-name toolmemo \
    --no-pack --no-typescript --no-gitignore -- "$@"
  rm -rf "pkg/$name"
  mv "pkg/$name.new" "pkg/$name"
}

# Browser builds are downloaded, so they are built for size: std rebuilt with
# the crate (optimised for size, panics abort at once instead of formatting a
# message, no source locations), which needs a nightly toolchain, pinned.
# About 30 kB (gzip) less than stable's prebuilt std.
# RUSTFLAGS replaces .cargo/config.toml's flags, so simd128 is repeated here.
browser_build() { # name features...
  local name=$1
  shift
  RUSTUP_TOOLCHAIN=$SIZE_TOOLCHAIN \
    RUSTFLAGS="-C target-feature=+simd128 -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    build "$name" web "--profile=wasm-release" --no-default-features "$@" \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size
}

build node nodejs --release
browser_build web --features indexeddb
browser_build lite

# wasm-pack copies every snippet; drop those a build's glue does not load
# (the browser builds have no runner, so no Node host).
for name in node web lite; do
  for f in $(cd "pkg/$name" && find snippets -name '*.js' 2>/dev/null); do
    grep -q "$(basename "$f")" "pkg/$name/toolmemo.js" || rm -f "pkg/$name/$f"
  done
  grep -q "snippets/" "pkg/$name/toolmemo.js" || rm -rf "pkg/$name/snippets"
done

# The browser glue minified (Node's is left readable: nothing is downloaded
# there). Class and function names are kept: errors and classes show them.
for f in pkg/web/toolmemo.js pkg/lite/toolmemo.js pkg/web/snippets/*/src/wasm/*.js; do
  [ -f "$f" ] || continue
  terser "$f" --module --compress passes=2 --mangle --keep-classnames --keep-fnames --output "$f.min"
  mv "$f.min" "$f"
done

# The page's real tools (scripts/nipype-specs.sh writes them where nipype is
# installed): none until then, said by an empty list rather than a 404.
[ -f pkg/nipype/index.json ] || { mkdir -p pkg/nipype && echo '[]' > pkg/nipype/index.json; }

echo '{"type": "commonjs"}' > pkg/node/package.json
echo '{"type": "module"}' > pkg/web/package.json
echo '{"type": "module"}' > pkg/lite/package.json

# wasm-bindgen copies JS snippets as written, as ES modules, even into the
# CommonJS build; make them CommonJS so that `require` works on any Node (and
# in tools such as Jest) without require(esm). Snippets hold only
# `export function` declarations (crate/src/wasm/memory.js says so).
node - pkg/node/snippets <<'EOF'
const { readdirSync, readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
for (const f of readdirSync(process.argv[2], { recursive: true })) {
  if (!f.endsWith(".js")) continue;
  const path = join(process.argv[2], f);
  const src = readFileSync(path, "utf8");
  const names = [...src.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
  const body = src.replace(/^export function /gm, "function ");
  const left = body.match(/^\s*(export|import)\b.*$/m);
  if (left) throw new Error(`${path}: cannot make CommonJS of: ${left[0]}`);
  writeFileSync(path, `"use strict";\n${body}\nmodule.exports = { ${names.join(", ")} };\n`);
}
EOF

rm -rf pkg/entry pkg/types
mkdir -p pkg/entry pkg/types
cp crate/src/wasm/js/*.mjs crate/src/wasm/js/*.cjs pkg/entry/
# One declaration file for `require` (.d.ts) and one for `import` (.d.mts).
for t in index lite; do
  cp "types/$t.d.ts" "pkg/types/$t.d.ts"
  sed 's|"\./index\.js"|"./index.mjs"|' "types/$t.d.ts" > "pkg/types/$t.d.mts"
done

cargo build --release --features native,redis
