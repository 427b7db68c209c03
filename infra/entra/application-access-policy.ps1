<#
.SYNOPSIS
Limit which mailboxes and calendars confbot's app registration can reach (Exchange Online),
and, if lobby options are used, whose meetings it can change (Teams).

.DESCRIPTION
Microsoft Graph application permissions such as Mail.ReadWrite reach EVERY mailbox in the
tenant. An Exchange application access policy narrows them to the members of one
mail-enabled security group. The policy covers Mail.*, Calendars.*, Contacts.* and
MailboxSettings.* together, so the group holds:
  - the conference request mailbox (confbot reads requests and sends letters from it);
  - every chair (IRO) whose calendar confbot books conferences in.
Nobody else's mail or calendar can be read or changed by confbot.

Run it in PowerShell 7 as an Exchange administrator (and a Teams administrator for -Lobby):
  Install-Module ExchangeOnlineManagement, MicrosoftTeams -Scope CurrentUser
  ./application-access-policy.ps1 -AppId <graph app id> -RequestMailbox conference-requests@example.gov.uk `
      -Chairs chair.one@example.gov.uk, chair.two@example.gov.uk

When a chair joins or leaves, add or remove them from the group (Add-DistributionGroupMember /
Remove-DistributionGroupMember); the policy itself does not change. Changes can take up to an
hour to apply. Test-ApplicationAccessPolicy, at the end, shows the result for each mailbox.

Exchange's newer "RBAC for Applications" can scope mail and calendars separately (mail to the
request mailbox alone). If the council already uses it, assign the roles "Application
Mail.ReadWrite", "Application Mail.Send" and "Application Calendars.ReadWrite" with management
scopes instead, and do not grant those permissions in Entra; the README explains.

.PARAMETER AppId
Application (client) id of confbot's Graph app registration (printed by register-app.sh).

.PARAMETER RequestMailbox
The shared mailbox that receives conference requests.

.PARAMETER Chairs
The chairs' mailboxes (user principal names or addresses).

.PARAMETER GroupName
Name of the mail-enabled security group to create or reuse.

.PARAMETER Lobby
Also create the Teams application access policy that lets confbot change lobby options of
meetings organised by the chairs (OnlineMeetings.ReadWrite.All). Only if the council uses them.

.PARAMETER NoAttendance
Confbot reads each meeting's attendance report (OnlineMeetingArtifact.Read.All), which needs
the same Teams policy; without -Lobby the policy is still made unless this is given.

.PARAMETER WhatIf
Show what would change without changing it.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^[0-9a-fA-F-]{36}$')][string]$AppId,
    [Parameter(Mandatory = $true)][string]$RequestMailbox,
    [Parameter(Mandatory = $true)][string[]]$Chairs,
    [string]$GroupName = 'confbot-mailboxes',
    [switch]$Lobby,
    [switch]$NoAttendance
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module ExchangeOnlineManagement
Connect-ExchangeOnline -ShowBanner:$false

# 1. The group of mailboxes confbot may reach.
$group = Get-DistributionGroup -Identity $GroupName -ErrorAction SilentlyContinue
if (-not $group) {
    if ($PSCmdlet.ShouldProcess($GroupName, 'Create mail-enabled security group')) {
        $group = New-DistributionGroup -Name $GroupName -Type Security `
            -Notes 'Mailboxes the confbot app may reach. Managed by infra/entra/application-access-policy.ps1.'
        # Hidden, and closed to outside mail: it exists only to scope the policy.
        Set-DistributionGroup -Identity $GroupName -HiddenFromAddressListsEnabled $true `
            -RequireSenderAuthenticationEnabled $true
    }
}
$members = @(Get-DistributionGroupMember -Identity $GroupName -ResultSize Unlimited -ErrorAction SilentlyContinue |
    ForEach-Object { $_.PrimarySmtpAddress.ToString().ToLowerInvariant() })
foreach ($mailbox in @($RequestMailbox) + $Chairs) {
    if ($members -notcontains $mailbox.ToLowerInvariant()) {
        if ($PSCmdlet.ShouldProcess($mailbox, "Add to $GroupName")) {
            Add-DistributionGroupMember -Identity $GroupName -Member $mailbox
        }
    }
}

# 2. The Exchange application access policy: confbot reaches members of the group only.
$existing = Get-ApplicationAccessPolicy | Where-Object { $_.AppId -eq $AppId }
if (-not $existing) {
    if ($PSCmdlet.ShouldProcess($AppId, "Restrict to members of $GroupName")) {
        New-ApplicationAccessPolicy -AppId $AppId -PolicyScopeGroupId $GroupName `
            -AccessRight RestrictAccess `
            -Description 'confbot: the conference request mailbox and the chairs only.'
    }
}
else {
    Write-Host "An application access policy for $AppId already exists: $($existing.ScopeName)"
}

# 3. Check: Granted for the request mailbox and the chairs, Denied for anyone else.
Write-Host 'Policy results (allow up to an hour for a new policy to apply):'
foreach ($mailbox in @($RequestMailbox) + $Chairs) {
    Test-ApplicationAccessPolicy -Identity $mailbox -AppId $AppId |
        Select-Object Identity, AccessCheckResult | Format-Table -AutoSize
}

# 4. Teams: lobby options (OnlineMeetings.ReadWrite.All) and attendance reports
#    (OnlineMeetingArtifact.Read.All) are scoped by Teams per organiser.
if ($Lobby -or -not $NoAttendance) {
    Import-Module MicrosoftTeams
    Connect-MicrosoftTeams | Out-Null
    $policyName = 'confbot-online-meetings'
    if (-not (Get-CsApplicationAccessPolicy -Identity $policyName -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess($policyName, 'Create Teams application access policy')) {
            New-CsApplicationAccessPolicy -Identity $policyName -AppIds $AppId `
                -Description 'confbot may read attendance reports of, and change options of, meetings the chairs organise.'
        }
    }
    foreach ($chair in $Chairs) {
        if ($PSCmdlet.ShouldProcess($chair, "Grant $policyName")) {
            Grant-CsApplicationAccessPolicy -PolicyName $policyName -Identity $chair
        }
    }
    Write-Host "Granted $policyName to $($Chairs.Count) chair(s). Never grant it -Global."
}

Disconnect-ExchangeOnline -Confirm:$false
