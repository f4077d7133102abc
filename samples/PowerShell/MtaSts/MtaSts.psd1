# The MtaSts sample module: MTA-STS resolution and delivery planning from PowerShell 7 (see ../README.md).
@{
    RootModule           = 'MtaSts.psm1'
    ModuleVersion        = '1.0.0'
    GUID                 = '5b0f8a4e-6f1d-4c53-9a8e-2d6c1f0b7e41'
    Description          = 'Resolves MTA-STS policies (RFC 8461) and plans secure delivery with DANE (RFC 7672) using the MtaSts library.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('MtaSts.Format.ps1xml')
    FunctionsToExport    = @('Resolve-MtaStsPolicy', 'Get-MtaStsDeliveryPlan', 'Get-MtaStsExitCode')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
