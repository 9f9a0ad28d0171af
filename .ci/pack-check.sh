#!/usr/bin/env bash
# Part of .ci/run: .ci/pack-check.sh <clone> <work folder> <placeholder repository URL> <configuration>
# Packs the shipped libraries of <clone> (already built in <configuration>; its git remote `origin` is the placeholder URL) and
# checks that each package links home (eng/Package.targets): the nuspec's <repository> and <projectUrl> are the placeholder URL
# and the cloned commit, the release notes point at that commit's CHANGELOG, every link of the packed README is absolute and names
# a file of that commit, and the PDB's SourceLink map sends every source to that commit. Then the consumer's view: a fresh console
# app outside the repository restores the packages from a local folder and builds and runs samples/QuickStart/Program.cs.
set -euo pipefail
clone="$1"; work="$2"; placeholder="${3%/}"; configuration="$4"
commit="$(git -C "$clone" rev-parse HEAD)"
packages="$work/packages"
version="0.0.0-ci.$(date +%s)"  # unique, so no package cache can serve an older build under the same version
fail() { echo ".ci/pack-check.sh: $*" >&2; exit 1; }
rm -rf "$packages" && mkdir -p "$packages"

# ---- pack ------------------------------------------------------------------------------------------------------------------
# A library that ships inside another package says <IsPackable>false</IsPackable> (Entropy.Synedrion, in Entropy.Sdk: decision 0002).
mapfile -t libraries < <(cd "$clone" && grep -l '<ProjectType>Library</ProjectType>' src/*/*.csproj | xargs grep -L '<IsPackable>false</IsPackable>' | sort)
[ "${#libraries[@]}" -gt 0 ] || fail "no shipped library (ProjectType Library) under src/"
for project in "${libraries[@]}"; do
  (cd "$clone" && dotnet pack "$project" --no-build -c "$configuration" -o "$packages" -p:Version="$version" --nologo -v q) ||
    fail "dotnet pack $project failed"
done

# ---- what each package says about its home ---------------------------------------------------------------------------------
tmp="$work/pack-check"; rm -rf "$tmp"; mkdir -p "$tmp"
for project in "${libraries[@]}"; do
  id="$(sed -n 's:.*<PackageId>\(.*\)</PackageId>.*:\1:p' "$clone/$project")"
  [ -n "$id" ] || id="$(basename "$project" .csproj)"
  nupkg="$packages/$id.$version.nupkg"; snupkg="$packages/$id.$version.snupkg"
  [ -f "$nupkg" ] || fail "$project: no $nupkg"
  [ -f "$snupkg" ] || fail "$project: no symbol package $snupkg"
  nuspec="$(unzip -p "$nupkg" "$id.nuspec")"
  repository="$(grep -o '<repository [^>]*>' <<<"$nuspec" || true)"
  grep -Eq "url=\"$placeholder(\.git)?\"" <<<"$repository" && grep -q "commit=\"$commit\"" <<<"$repository" ||
    fail "$id: the nuspec's <repository> is not the placeholder origin at $commit: ${repository:-none}"
  grep -q "<projectUrl>$placeholder</projectUrl>" <<<"$nuspec" ||
    fail "$id: <projectUrl> is not $placeholder: $(grep -o '<projectUrl>[^<]*' <<<"$nuspec" || echo none)"
  grep -q "<releaseNotes>.*$placeholder/blob/$commit/CHANGELOG.md" <<<"$nuspec" ||
    fail "$id: <releaseNotes> do not point at the CHANGELOG of $commit: $(grep -o '<releaseNotes>[^<]*' <<<"$nuspec" || echo none)"

  # The packed README: every inline link absolute; those into the repository name a file or folder of the packed commit.
  readme="$(unzip -p "$nupkg" README.md)" || fail "$id: no README.md in the package"
  links="$(sed 's/`[^`]*`//g' <<<"$readme" | grep -o '\]([^)]*)' | sed 's/^](//; s/)$//' || true)"
  [ -n "$links" ] || fail "$id: the packed README has no links (was the README transformed?)"
  while read -r link; do
    case "$link" in
      "$placeholder/blob/$commit/"*)
        path="${link#"$placeholder/blob/$commit/"}"; path="${path%%#*}"
        git -C "$clone" cat-file -e "$commit:$path" 2>/dev/null || fail "$id: README link $link names $path, which is not in $commit"
        ;;
      https://*|http://*) ;;
      *) fail "$id: the packed README has a relative link: $link" ;;
    esac
  done <<<"$links"

  # The PDB's SourceLink map (a JSON blob stored as is in the portable PDB).
  pdb="$(unzip -Z1 "$snupkg" | grep "/$id\.pdb$" | head -1)"
  [ -n "$pdb" ] || fail "$id: no $id.pdb in $snupkg"
  unzip -p "$snupkg" "$pdb" > "$tmp/$id.pdb"
  map="$(grep -a -o '{"documents":{[^}]*}}' "$tmp/$id.pdb" | head -1 || true)"
  raw="https://raw.githubusercontent.com/${placeholder#https://github.com/}/$commit/*"
  [[ "$map" == *"\"$raw\""* ]] || fail "$id: the PDB's SourceLink map does not point at $raw: ${map:-no SourceLink map}"
  echo "  $id $version: repository $placeholder @ ${commit:0:10}, projectUrl, releaseNotes → CHANGELOG, $(wc -l <<<"$links") README links absolute, SourceLink $map"
done

# ---- Entropy.Synedrion ships inside Entropy.Sdk (eng/decisions/0002-synedrion-packaging.md) -----------------------------------
sdk="$packages/Entropy.Sdk.$version.nupkg"; sdk_symbols="$packages/Entropy.Sdk.$version.snupkg"
[ -f "$sdk" ] || fail "no Entropy.Sdk package"
[ ! -e "$packages/Entropy.Synedrion.$version.nupkg" ] || fail "Entropy.Synedrion was packed as a package of its own (decision 0002: it ships inside Entropy.Sdk)"
for file in lib/net10.0/Entropy.Synedrion.dll lib/net10.0/Entropy.Synedrion.xml; do
  # (grep without -q: an early exit would cut the pipe, and pipefail would count unzip's SIGPIPE as a failure)
  unzip -Z1 "$sdk" | grep -x "$file" > /dev/null || fail "Entropy.Sdk: the package lacks $file (decision 0002: Entropy.Synedrion ships inside it)"
done
for nupkg in "$packages"/*."$version".nupkg; do
  ! unzip -p "$nupkg" '*.nuspec' | grep '<dependency id="Entropy.Synedrion"' > /dev/null ||
    fail "$(basename "$nupkg"): depends on an Entropy.Synedrion package (decision 0002: it ships inside Entropy.Sdk)"
done
unzip -Z1 "$sdk_symbols" | grep -x lib/net10.0/Entropy.Synedrion.pdb > /dev/null || fail "Entropy.Sdk: the symbol package lacks lib/net10.0/Entropy.Synedrion.pdb"
unzip -p "$sdk_symbols" lib/net10.0/Entropy.Synedrion.pdb > "$tmp/Entropy.Synedrion.pdb"
map="$(grep -a -o '{"documents":{[^}]*}}' "$tmp/Entropy.Synedrion.pdb" | head -1 || true)"
[[ "$map" == *"\"https://raw.githubusercontent.com/${placeholder#https://github.com/}/$commit/*\""* ]] ||
  fail "Entropy.Sdk: Entropy.Synedrion.pdb's SourceLink map does not point at $commit: ${map:-no SourceLink map}"
echo "  Entropy.Sdk $version carries Entropy.Synedrion.dll/.xml (pdb with SourceLink in the symbol package); no package depends on an Entropy.Synedrion package"

# ---- the client ships only the client: the stand-in DKG is the simulator's (issue 17 §3, eng/notes/standin.md) ----------------
# Type names sit in the assembly's metadata string heap: none of the stand-in's may be in the SDK's dll, and the simulator's has them.
unzip -p "$sdk" lib/net10.0/Entropy.Sdk.dll > "$tmp/Entropy.Sdk.dll"
for type in PedersenDkg DkgRunner DkgSessionContext DkgKeyShare DkgMessageCodec Secp256k1Group; do
  ! grep -a -q "$type" "$tmp/Entropy.Sdk.dll" || fail "Entropy.Sdk: lib/net10.0/Entropy.Sdk.dll contains $type (the stand-in DKG ships only in the simulator)"
done
simulator="$packages/Entropy.Sdk.Simulator.$version.nupkg"
[ -f "$simulator" ] || fail "no Entropy.Sdk.Simulator package"
unzip -p "$simulator" lib/net10.0/Entropy.Sdk.Simulator.dll > "$tmp/Entropy.Sdk.Simulator.dll"
grep -a -q PedersenDkg "$tmp/Entropy.Sdk.Simulator.dll" || fail "Entropy.Sdk.Simulator: the stand-in DKG (PedersenDkg) is not in its dll (did the check above look for the right names?)"
echo "  Entropy.Sdk $version holds no stand-in DKG type; Entropy.Sdk.Simulator $version does"

# ---- the consumer's view ---------------------------------------------------------------------------------------------------
consumer="$work/consumer"
rm -rf "$consumer"; mkdir -p "$consumer"
references=""
for project in "${libraries[@]}"; do
  id="$(sed -n 's:.*<PackageId>\(.*\)</PackageId>.*:\1:p' "$clone/$project")"
  # Only what the sample uses directly; the rest comes in as dependencies (which proves the nuspec's dependency list).
  if grep -q "Include=\"[./]*src/$(basename "$(dirname "$project")")/" "$clone/samples/QuickStart/QuickStart.csproj"; then
    references+="    <PackageReference Include=\"$id\" Version=\"$version\" />"$'\n'
  fi
done
[ -n "$references" ] || fail "samples/QuickStart references none of the shipped libraries"
# The sample's embedded resources (the program it deploys), copied beside the consumer under their logical names.
resources=""
while read -r include logical; do
  [ -n "$include" ] || continue
  cp "$clone/samples/QuickStart/$include" "$consumer/$logical" || fail "samples/QuickStart embeds $include, which is missing"
  resources+="    <EmbeddedResource Include=\"$logical\" LogicalName=\"$logical\" />"$'\n'
done < <(sed -n 's:.*<EmbeddedResource Include="\([^"]*\)" LogicalName="\([^"]*\)".*:\1 \2:p' "$clone/samples/QuickStart/QuickStart.csproj")
cat > "$consumer/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <RestorePackagesPath>$consumer/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
$references$resources  </ItemGroup>
</Project>
EOF
# The packed packages from the local folder only; their dependencies from nuget.org (read from the machine's package cache when it
# has them, without writing to it).
cat > "$consumer/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$packages" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local">
$(for project in "${libraries[@]}"; do id="$(sed -n 's:.*<PackageId>\(.*\)</PackageId>.*:\1:p' "$clone/$project")"; echo "      <package pattern=\"$id\" />"; done)
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders>
    <add key="machine" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" />
  </fallbackPackageFolders>
</configuration>
EOF
cp "$clone/samples/QuickStart/Program.cs" "$consumer/Program.cs"
(cd "$consumer" && dotnet build --nologo -v q -o "$consumer/bin") > "$consumer/build.log" 2>&1 ||
  { tail -30 "$consumer/build.log" >&2; fail "the consumer app does not build against the packed packages"; }
for project in "${libraries[@]}"; do
  id="$(sed -n 's:.*<PackageId>\(.*\)</PackageId>.*:\1:p' "$clone/$project")"
  if [ -f "$consumer/bin/$(sed -n 's:.*<AssemblyName>\(.*\)</AssemblyName>.*:\1:p' "$clone/$project").dll" ]; then
    [ -d "$consumer/packages/$(tr '[:upper:]' '[:lower:]' <<<"$id")/$version" ] || fail "$id did not come from the packed packages"
  fi
done
[ -f "$consumer/bin/Entropy.Synedrion.dll" ] || fail "the consumer app's output lacks Entropy.Synedrion.dll (it comes inside the Entropy.Sdk package)"
set +e
output="$(cd "$consumer" && timeout --kill-after=10s 180s dotnet bin/Consumer.dll 2>&1)"
status=$?
set -e
sed 's/^/    /' <<<"$output" | tail -15
[ "$status" -eq 0 ] || fail "the QuickStart code, built against the packages, exited with $status"
grep -q "Verifying key" <<<"$output" || fail "the QuickStart code did not print a verifying key"
echo "  consumer: a console app restoring $(grep -o 'Include="[^"]*"' <<<"$references" | cut -d'"' -f2 | tr '\n' ' ')$version from the local folder builds and runs samples/QuickStart/Program.cs"
