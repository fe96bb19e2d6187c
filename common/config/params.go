package config

// AccountPoolParam is the JSON document of the names.AccountPoolConfigParam
// SSM parameter, written by the AccountPool stack.
type AccountPoolParam struct {
	PoolOuID        string   `json:"poolOuId"`
	AvailableOuID   string   `json:"availableOuId"`
	ActiveOuID      string   `json:"activeOuId"`
	CleanUpOuID     string   `json:"cleanUpOuId"`
	QuarantineOuID  string   `json:"quarantineOuId"`
	FrozenOuID      string   `json:"frozenOuId"`
	EntryOuID       string   `json:"entryOuId"`
	ExitOuID        string   `json:"exitOuId"`
	ParentOuID      string   `json:"parentOuId"`
	ManagedRegions  []string `json:"managedRegions"`
	OrgMgtAccountID string   `json:"orgMgtAccountId"`
	StackSetName    string   `json:"stackSetName"`
}

// IdcParam is the JSON document of the names.IdcConfigParam SSM parameter,
// written by the IDC stack.
type IdcParam struct {
	IdcAccountID            string `json:"idcAccountId"`
	IdentityStoreID         string `json:"identityStoreId"`
	SsoInstanceArn          string `json:"ssoInstanceArn"`
	AdminGroupID            string `json:"adminGroupId"`
	ManagerGroupID          string `json:"managerGroupId"`
	UserGroupID             string `json:"userGroupId"`
	AdminPermissionSetArn   string `json:"adminPermissionSetArn"`
	ManagerPermissionSetArn string `json:"managerPermissionSetArn"`
	UserPermissionSetArn    string `json:"userPermissionSetArn"`
}

// DataParam is the JSON document of the names.DataConfigParam SSM
// parameter: the identifiers the Compute functions need that are not
// deterministic names.
type DataParam struct {
	TableKeyArn                   string `json:"tableKeyArn"`
	AppConfigApplicationID        string `json:"appConfigApplicationId"`
	AppConfigEnvironmentID        string `json:"appConfigEnvironmentId"`
	AppConfigDeploymentStrategyID string `json:"appConfigDeploymentStrategyId"`
	GlobalConfigProfileID         string `json:"globalConfigProfileId"`
	NukeConfigProfileID           string `json:"nukeConfigProfileId"`
	ReportingConfigProfileID      string `json:"reportingConfigProfileId"`
}
