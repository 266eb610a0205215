<#
.SYNOPSIS
  Installs the Quiesce guest agent on a Windows VM: the bundled agent, the VSS helper, its config, its Ed25519 key
  and a Windows service (WinSW). Prints the agent's public key; enrol it with the service.
.EXAMPLE
  .\install-windows.ps1 -VmId <VM resource id> -QueueServiceUrl https://acct.queue.core.windows.net `
      -ServicePublicKey <base64url> -VssHelperPath .\quiesce-vss-helper.exe -WinSwPath .\WinSW-x64.exe
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory)] [string] $VmId,
  [Parameter(Mandatory)] [string] $QueueServiceUrl,
  [Parameter(Mandatory)] [string] $ServicePublicKey,
  [string] $ClientId = '',
  [string] $Bundle = (Join-Path $PSScriptRoot 'quiesce-agent.mjs'),
  [string] $VssHelperPath = (Join-Path $PSScriptRoot 'quiesce-vss-helper.exe'),
  [string] $WinSwPath = (Join-Path $PSScriptRoot 'WinSW-x64.exe'),
  [int] $MaxFrozenSeconds = 60
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Command node -ErrorAction SilentlyContinue)) { throw 'Node.js 20 or newer is required (node not found).' }

$installDir = Join-Path $env:ProgramFiles 'QuiesceAgent'
$dataDir = Join-Path $env:ProgramData 'QuiesceAgent'
New-Item -ItemType Directory -Force -Path $installDir, $dataDir, (Join-Path $dataDir 'scripts') | Out-Null
# Only SYSTEM and Administrators may read the key or change the scripts the agent runs.
icacls $dataDir /inheritance:r /grant:r 'SYSTEM:(OI)(CI)F' 'Administrators:(OI)(CI)F' | Out-Null

Copy-Item $Bundle (Join-Path $installDir 'quiesce-agent.mjs') -Force
Copy-Item $VssHelperPath (Join-Path $installDir 'quiesce-vss-helper.exe') -Force
Copy-Item $WinSwPath (Join-Path $installDir 'quiesce-agent.exe') -Force
Copy-Item (Join-Path $PSScriptRoot 'quiesce-agent.xml') (Join-Path $installDir 'quiesce-agent.xml') -Force

$keyFile = Join-Path $dataDir 'agent.pem'
$publicKey = (& node (Join-Path $installDir 'quiesce-agent.mjs') keygen --out $keyFile | Select-Object -First 1)

$clientLine = if ($ClientId) { "  clientId: `"$ClientId`"" } else { '' }
$helper = (Join-Path $installDir 'quiesce-vss-helper.exe') -replace '\\', '/'
$data = $dataDir -replace '\\', '/'
@"
# Written by install-windows.ps1; see the README section "Guest agent" for every setting.
vmId: "$VmId"
auth:
  kind: managedIdentity
  queueServiceUrl: "$QueueServiceUrl"
$clientLine
servicePublicKey: "$ServicePublicKey"
agentPrivateKeyFile: "$data/agent.pem"
scriptsDirectory: "$data/scripts"
fsfreeze:
  enabled: false
vss:
  helperPath: "$helper"
limits:
  maxFrozenSeconds: $MaxFrozenSeconds
"@ | Set-Content -Encoding UTF8 (Join-Path $dataDir 'agent.yaml')

& (Join-Path $installDir 'quiesce-agent.exe') install
& (Join-Path $installDir 'quiesce-agent.exe') start

$queue = (& node (Join-Path $installDir 'quiesce-agent.mjs') queue-name --vm-id $VmId)
Write-Output "Command queue: $queue"
Write-Output 'Agent public key (enrol it with the service):'
Write-Output $publicKey
