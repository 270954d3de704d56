global using VppLedger.Assignments;
